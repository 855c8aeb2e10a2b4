// The espruino CLI writes Storage files into the simulated device over tcp://
// exactly: a binary file (atob lines) and a code file (string literal lines),
// the device reports the same CRC-32 the host computes, and load("app.js")
// runs the code file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, expect, test } from 'vitest';
import { espruinoCli, startReplDevice, type ReplFixture } from './helpers/repl-device.ts';

let device: ReplFixture;
let dir: string;
afterEach(async () => {
  await device?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('espruino --storage over tcp:// stores both files byte for byte', async () => {
  device = await startReplDevice('linux');
  dir = mkdtempSync(join(tmpdir(), 'repl-cli-'));
  const binary = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 37 + 11) & 255));
  const code = 'var counted = 0;\nfunction count() {\n  counted++;\n}\nprint("app.js ran");\n';
  writeFileSync(join(dir, 'data.bin'), binary);
  writeFileSync(join(dir, 'app.js'), code);

  const run = await espruinoCli('linux', device.repl.url, ['--storage', `data.bin:${join(dir, 'data.bin')}`, '--storage', 'app.js:-', join(dir, 'app.js')]);

  expect(run.out).toContain('Upload Complete');
  expect(run.out).toContain('app.js ran');
  expect(run.code).toBe(0);
  expect(device.sim.storage.bytes('data.bin')).toEqual(binary);
  expect(device.sim.storage.bytes('app.js')?.toString('latin1')).toBe(code);
  expect(device.sim.eval('E.CRC32(require("Storage").read("data.bin"))')).toBe(crc32(binary) >>> 0);
});
