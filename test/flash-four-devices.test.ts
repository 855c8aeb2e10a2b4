// Four devices flashed at once: each port gets the next station never
// flashed (or the one a map file names), a result table at the end with one
// failure among them; a re-run skips the three that are done and finishes
// the fourth.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { serveRepl } from '../hardware/sim/repl/server.ts';
import { SimReplDevice } from '../hardware/sim/repl/sim-device.ts';
import { flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import { until } from './helpers/link-io.ts';

let f: FlashFixture;
afterEach(() => f?.close());

test('four at once, a table, and a re-run that skips what is done', async () => {
  f = await flashFixture(['desk-01', 'desk-02', 'desk-03', 'desk-04', 'desk-05'].map((id) => ({ id, board: 'linux' })));
  const broker = await f.startBroker();
  const devices = [];
  for (let i = 0; i < 3; i++) devices.push(await f.addDevice('linux'));
  // The fourth device's cable fails during the first run.
  const flaky = await f.addDevice('linux', { server: { unplugAfterBytes: 9000 } });
  const map = join(f.home, 'map.csv');
  writeFileSync(map, `# port,station\n${flaky.repl.url},desk-05\n`);
  const ports = [...devices, flaky].flatMap((d) => ['--port', d.repl.url]);
  const common = ['--map', map, '--broker-address', `127.0.0.1:${broker.tcpPort}`, '--online-timeout', '20'];

  const first = await f.run('flash', ...ports, ...common);

  expect(first.code).toBe(1);
  const rows = first.out.trim().split('\n');
  expect(rows[0]).toMatch(/^PORT\s+STATION\s+BOARD\s+RESULT\s+FIRMWARE\s+SECONDS$/);
  expect(rows.slice(1).map((r) => r.split(/\s+/).slice(1, 4).join(' '))).toEqual([
    'desk-01 linux online',
    'desk-02 linux online',
    'desk-03 linux online',
    'desk-05 linux failed:',
  ]);
  expect(first.err).toContain(`${flaky.repl.url}: the connection to ${flaky.repl.url} dropped during the flash`);

  // Plugged in again on the same port address; the three done are skipped.
  await flaky.repl.close();
  const replugged = await serveRepl(new SimReplDevice(flaky.sim), { port: flaky.repl.port });
  try {
    const second = await f.run('flash', ...ports, ...common);
    expect(second.err.split('\n').filter((l) => l.startsWith('tcp:'))).toEqual([]);
    expect(second.code).toBe(0);
    expect(second.out.trim().split('\n').slice(1).map((r) => r.split(/\s+/).slice(1, 4).join(' '))).toEqual([
      'desk-01 linux skipped',
      'desk-02 linux skipped',
      'desk-03 linux skipped',
      'desk-05 linux online',
    ]);
  } finally {
    await replugged.close();
  }
  // The flash saw desk-05's birth through a client of its own; the registry learns of it through the presence
  // tracker's, which may be a moment later (seen under load: the list without desk-05).
  await until(() => f.registry.getStation('desk-05')?.firmware, "desk-05's birth in the registry");
  // desk-04 is left for the next device: the map gave desk-05 to the fourth port.
  expect(f.registry.listStations().filter((s) => s.firmware).map((s) => s.id)).toEqual(['desk-01', 'desk-02', 'desk-03', 'desk-05']);
});
