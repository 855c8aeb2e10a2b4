// `deskphone up` on a fresh machine creates its data directory readable by its user only.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { parseUpArgs } from '../provisioner/commands/up.ts';
import { startUp, type UpHandle } from '../provisioner/up/index.ts';

const parent = mkdtempSync(join(tmpdir(), 'deskphone-up-home-'));
let up: UpHandle | undefined;

afterEach(async () => {
  await up?.close();
  rmSync(parent, { recursive: true, force: true });
});

it('creates the data directory with mode 0700', async () => {
  const home = join(parent, 'data', 'deskphone');
  const previous = process.umask(0o022);
  try {
    up = await startUp(parseUpArgs(['--http', '127.0.0.1:0', '--listen', '127.0.0.1:0']), {
      output: { out: () => {}, err: () => {}, tty: false },
      env: { DESKPHONE_HOME: home },
      stopSignal: new Promise(() => {}),
    });
  } finally {
    process.umask(previous);
  }
  expect(statSync(home).mode & 0o777).toBe(0o700);
});
