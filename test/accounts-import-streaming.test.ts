// A directory file is read as a stream: memory does not grow with the file
// (the import runs in a process whose JavaScript heap is capped at 48 MB,
// where reading the whole file first ran out of memory), and it still goes
// in whole or not at all, also when the bad row comes after tens of
// thousands of good ones. Time and peak memory of a 50 MB file: `npm run bench -- import`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../provisioner/db.ts';
import { directoryCsv } from './helpers/directory-csv.ts';
import { tempDir } from './helpers/service-harness.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

describe('deskphone accounts import of a large file', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());
  const home = join(tmp.dir, 'home');
  const count = () => {
    const db = openDb(home);
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM svc_account').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('writes nothing when a row far down repeats the first', async () => {
    const file = join(tmp.dir, 'repeat.csv');
    const lines = directoryCsv(25_000).trimEnd().split('\n');
    lines.push(lines[1]);
    writeFileSync(file, lines.join('\n') + '\n');
    const { code, err } = await cliIn(home)('accounts', 'import', file);
    expect(code).toBe(1);
    expect(err).toContain('has 1 problem(s); nothing was imported');
    expect(err).toContain('line 25002, column account: repeats line 2');
    expect(count()).toBe(0);
  });

  it('imports 60,000 rows with a JavaScript heap of 48 MB', () => {
    const file = join(tmp.dir, 'directory.csv');
    writeFileSync(file, directoryCsv(60_000));
    const run = spawnSync(process.execPath, ['bin/deskphone.js', 'accounts', 'import', file], {
      env: { ...process.env, DESKPHONE_HOME: home, NODE_OPTIONS: '--max-old-space-size=48' },
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/heap out of memory/);
    expect(run.stdout).toBe(`60000 accounts imported from ${file}\n`);
    expect(count()).toBe(60_000);
  }, 60_000);
});
