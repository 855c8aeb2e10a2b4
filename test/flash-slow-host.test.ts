// A host slow to start the connection process (node, tsx, EspruinoTools: ~1 s
// at load 4-5, 3-5 s at load 12 on two cores) still finds the device: the
// wait for the device's answer starts when the port is opened. It started with
// the process, and under load `deskphone ports` reported a device that was
// there as "silent" (its 4 s ran out while the process was still loading), and
// `deskphone flash` said "no Espruino answered within 8 s".
// The slow start is a preload that sleeps in the process before it loads anything.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { loadBoard } from '../hardware/board.ts';
import { EspruinoLink } from '../provisioner/flash/link.ts';
import { startReplDevice, type ReplFixture } from './helpers/repl-device.ts';

const START_DELAY_MS = 2000;
const ANSWER_WAIT_MS = 1500;

let device: ReplFixture | undefined;
let dir: string | undefined;
const nodeOptions = process.env.NODE_OPTIONS;
afterEach(async () => {
  if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = nodeOptions;
  await device?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a connection process that starts slower than the device may take to answer still connects', async () => {
  device = await startReplDevice('linux');
  dir = mkdtempSync(join(tmpdir(), 'slow-host-'));
  const preload = join(dir, 'slow-start.cjs');
  writeFileSync(preload, `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${START_DELAY_MS});\n`);
  process.env.NODE_OPTIONS = `${nodeOptions ?? ''} --require ${preload}`;

  const link = await EspruinoLink.connect(device.repl.url, { board: loadBoard('linux'), connectTimeoutMs: ANSWER_WAIT_MS });
  expect(link.isClosed).toBe(false);
  await link.close();
});
