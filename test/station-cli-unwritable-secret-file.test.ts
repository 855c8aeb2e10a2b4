// `station add --config-out` / `station import --secrets-out` to a path that cannot be written: a clear error, no station added.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliIn } from './helpers/station-cli-fixtures.ts';

let home: string;
let run: ReturnType<typeof cliIn>;
let notADir: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'deskphone-secret-out-'));
  run = cliIn(home);
  notADir = join(home, 'plain-file');
  writeFileSync(notADir, 'x', { mode: 0o600 });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** The error names the path and the fix, and nothing else (no stack trace). */
function expectWriteError(err: string, target: string): void {
  expect(err.startsWith(`error: cannot write ${target}: E`)).toBe(true);
  expect(err.split('\n').slice(1)).toEqual(['  fix: give a path in a directory you can write to; nothing was changed', '']);
}

it('station add --config-out under a file names the path and adds nothing', async () => {
  const target = join(notADir, 'wv-01.json');
  const { code, err } = await run('station', 'add', 'wv-01', '--board', 'linux', '--config-out', target);
  expect(code).toBe(1);
  expectWriteError(err, target);
  expect((await run('station', 'list', '--json')).out.trim()).toBe('[]');
});

it('station import --secrets-out under a file names the path and imports nothing', async () => {
  const csv = join(home, 'desks.csv');
  writeFileSync(csv, 'id,name,areas,board\nwv-01,Platz 1,WV,\nwv-02,Platz 2,WV,\n');
  const target = join(notADir, 'secrets.csv');
  const { code, err } = await run('station', 'import', csv, '--secrets-out', target);
  expect(code).toBe(1);
  expectWriteError(err, target);
  expect((await run('station', 'list', '--json')).out.trim()).toBe('[]');
  expect(existsSync(target)).toBe(false);
});
