// `deskphone station export --out`: the file is written, and a path that cannot be written is a clear error.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliIn } from './helpers/station-cli-fixtures.ts';

let home: string;
let run: ReturnType<typeof cliIn>;

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'deskphone-export-'));
  run = cliIn(home);
  expect((await run('station', 'add', 'wv-01', '--name', 'Platz 1', '--areas', 'WV')).code).toBe(0);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

it('writes the stations to --out', async () => {
  const file = join(home, 'stations.csv');
  expect((await run('station', 'export', '--out', file)).code).toBe(0);
  expect(readFileSync(file, 'utf8')).toContain('wv-01,Platz 1,WV');
});

it('names an unwritable --out and the fix, without a stack trace', async () => {
  const file = join(home, 'missing', 'stations.csv');
  const { code, err } = await run('station', 'export', '--out', file);
  expect(code).toBe(1);
  expect(err).toBe(`error: cannot write ${file}: ENOENT\n  fix: give --out a path in an existing, writable directory\n`);
  expect(existsSync(file)).toBe(false);
});
