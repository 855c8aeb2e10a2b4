// Every command makes the data directory private before it opens it, walking
// it file by file. A `deskphone up` running on the same directory creates and
// removes files meanwhile (LevelDB compactions of the broker store, SQLite's
// journal), so a file listed may be gone when it is looked at or chmod-ed:
// that file is no file open to others, and the command goes on. Here another
// process creates and removes files open to others as fast as it can.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openDataDir } from '../provisioner/data-dir.ts';
import { until } from './helpers/link-io.ts';

/** Walks while the other process churns (before the fix: 135 ENOENT failures in 3.5 s of walks at load ~10; this test failed within 0.4 s). */
const WALK_MS = 1500;
const CHURN = `const fs = require('fs'), dir = process.argv[1];
for (;;) {
  for (let i = 0; i < 20; i++) fs.writeFileSync(dir + '/f' + i, 'x', { mode: 0o644 });
  for (let i = 0; i < 20; i++) fs.unlinkSync(dir + '/f' + i);
}`;

let home: string;
const umask = process.umask();
afterEach(() => {
  process.umask(umask);
  rmSync(home, { recursive: true, force: true });
});

test('files removed by another process while the directory is made private are passed over', async () => {
  home = mkdtempSync(join(tmpdir(), 'data-dir-vanishing-'));
  const churn = spawn(process.execPath, ['-e', CHURN, home], { stdio: 'ignore' });
  try {
    await until(() => existsSync(join(home, 'f0')), 'the other process creating files');
    const ctx = { env: { DESKPHONE_HOME: home }, output: { out: () => undefined, err: () => undefined, tty: false }, stopSignal: new Promise<void>(() => undefined) };
    let walks = 0;
    for (const end = Date.now() + WALK_MS; Date.now() < end; walks++) expect(openDataDir(ctx)).toBe(home);
    expect(walks).toBeGreaterThan(100);
  } finally {
    const exited = new Promise((r) => churn.once('exit', r));
    churn.kill();
    await exited;
  }
});
