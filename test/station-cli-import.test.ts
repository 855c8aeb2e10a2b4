// `deskphone station import`: 1,000 desks in one transaction; one bad row rejects the file.
import { afterAll, expect, it } from 'vitest';
import { readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { openRegistry } from '../provisioner/registry/index.ts';
import { readCsv } from '../provisioner/csv.ts';
import { tempHome } from './helpers/broker-fixtures.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

const execFileAsync = promisify(execFile);
const home = tempHome('dp-station-import-');
const run = cliIn(home);
afterAll(() => rmSync(home, { recursive: true, force: true }));

function desks(from: number, count: number): string[] {
  const boards = ['pixljs-w5100', 'esp32-ssd1306', 'esp32-st7789'];
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return `desk-${String(n).padStart(4, '0')},"Platz ${n}, Etage ${n % 5}",${n % 3 === 0 ? '"WV,KM"' : n % 2 ? 'WV' : 'KM'},${boards[n % 3]}`;
  });
}

function write(name: string, lines: string[]): string {
  const file = join(home, name);
  writeFileSync(file, ['id,name,areas,board', ...lines].join('\r\n') + '\r\n');
  return file;
}

it('rejects the whole file for one bad row, naming its line, and writes nothing', async () => {
  const rows = desks(1, 1000);
  rows[500] = 'desk-0501,Platz 501,WV,toaster';
  rows[700] = 'desk-0002,Platz 2 again,WV,linux';
  const secrets = join(home, 'rejected-secrets.csv');
  const result = await run('station', 'import', write('bad.csv', rows), '--secrets-out', secrets);
  expect(result.code).not.toBe(0);
  expect(result.err).toContain('line 502: unknown board "toaster"');
  expect(result.err).toContain('line 702: station "desk-0002" already appears on line 3');
  expect(result.err).toContain('nothing was added');
  expect((await run('station', 'export')).out).toBe('id,name,areas,board\n');
  expect(existsSync(secrets)).toBe(false);
});

it('imports 1,000 stations with secrets in one go', async () => {
  const secrets = join(home, 'secrets.csv');
  const result = await run('station', 'import', write('desks.csv', desks(1, 1000)), '--secrets-out', secrets);
  expect(result.err).toBe('');
  expect(result.out).toContain('Imported 1000 stations');
  expect(statSync(secrets).mode & 0o777).toBe(0o600);
  const issued = readCsv(readFileSync(secrets, 'utf8')).slice(1).map((r) => r.fields);
  expect(issued).toHaveLength(1000);
  const registry = openRegistry(home);
  try {
    expect(registry.listStations()).toHaveLength(1000);
    expect(registry.getStation('desk-0003')).toMatchObject({ name: 'Platz 3, Etage 3', areas: ['WV', 'KM'], board: 'pixljs-w5100' });
    for (const [id, secret] of [issued[0], issued[999]]) expect(await registry.verifyStation(id, secret)).toBe(true);
  } finally {
    registry.close();
  }
  // export round-trips: importing it again is refused because every id exists
  const again = await run('station', 'import', write('again.csv', (await run('station', 'export')).out.trim().split('\n').slice(1)));
  expect(again.err).toContain('line 2: station "desk-0001" already exists');
  expect(again.err).toContain('... and 990 more');
});

it('says in --help which columns the CSV has, and where the default broker address comes from', async () => {
  // yargs prints help to the process's stdout, so the real CLI runs.
  const help = async (...argv: string[]) => (await execFileAsync(process.execPath, ['bin/deskphone.js', ...argv, '--help'])).stdout.replace(/\s+/g, ' ');
  const [importHelp, ...withBroker] = await Promise.all([['station', 'import'], ['station', 'add'], ['station', 'rotate-secret'], ['flash']].map((c) => help(...c)));
  expect(importHelp).toContain('import reads CSV whose first line names the columns id,name,areas,board: id required');
  for (const text of withBroker) expect(text).toContain(`[default: this machine's host name and port 1883, here "${hostname()}:1883"]`);
  // Four CLI starts: ~11 s on a loaded machine when the sources are newer than dist/cli.js.
}, 90_000);
