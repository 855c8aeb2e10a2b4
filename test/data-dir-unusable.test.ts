// DESKPHONE_HOME naming something that cannot be a data directory: a clear error, not a stack trace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliIn } from './helpers/station-cli-fixtures.ts';

let parent: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'deskphone-home-'));
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

it.each([
  ['station', 'list'],
  ['audit', 'list'],
  ['tickets', 'export'],
])('deskphone %s %s with DESKPHONE_HOME on a plain file names the directory and the fix', async (...argv) => {
  const home = join(parent, 'not-a-dir');
  writeFileSync(home, 'x');
  const { code, err } = await cliIn(home)(...argv);
  expect(code).toBe(1);
  expect(err.startsWith(`error: cannot open the data directory ${home}: E`)).toBe(true);
  expect(err.split('\n').slice(1)).toEqual(['  fix: set DESKPHONE_HOME to a directory you can write to (default: ./.deskphone)', '']);
});
