// A finished `deskphone events file` (station service with the registry's station list) leaves no handle on the database open.
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hostPasswordFile, startBroker, tempDir, type TestBroker } from './helpers/service-harness.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

const tmp = tempDir();
let broker: TestBroker;

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker?.close();
  tmp.remove();
});

/** This process's open file descriptors on the data directory's SQLite files (db, -wal, -shm). */
function openDbFiles(home: string): string[] {
  const dbFile = join(home, 'deskphone.db');
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(join('/proc/self/fd', fd));
      return target.startsWith(dbFile) ? [target] : [];
    } catch {
      return []; // the descriptor readdir itself used, closed by now
    }
  });
}

it('closes the registry it read the stations from', async () => {
  const home = join(tmp.dir, 'home');
  const run = cliIn(home);
  expect((await run('station', 'add', 'wv-01', '--areas', 'WV')).code).toBe(0);
  expect(openDbFiles(home)).toEqual([]);
  const events = join(tmp.dir, 'calls.jsonl');
  writeFileSync(events, '{"type":"sign_in","station":"wv-01","agent":"Frau Krüger"}\n');
  const result = await run('events', 'file', events, '--broker', broker.url, '--user', broker.host?.username ?? 'svc-host', '--password-file', hostPasswordFile(broker, home));
  expect(result).toMatchObject({ code: 0 });
  expect(openDbFiles(home)).toEqual([]);
});
