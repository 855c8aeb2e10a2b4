// Wired desks and the site's network plan: `deskphone flash --network-plan`
// writes each planned desk's static address and MAC into its config (the desk
// then runs no DHCP), gives the others the DHCP lease to renew by, reports the
// MAC each desk uses for DHCP reservations, and rejects a plan with an
// address or MAC given twice before any device is touched.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import type { ReplFixture } from './helpers/repl-device.ts';

let f: FlashFixture;
const dirs: string[] = [];
afterEach(async () => {
  await f?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function planFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'net-plan-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'plan.csv'), text);
  return join(dir, 'plan.csv');
}

const config = (device: ReplFixture) => JSON.parse(device.sim.storage.bytes('deskphone.json')!.toString('utf8'));

test('a planned desk gets its static address and MAC; the others DHCP with the lease, and each MAC is reported', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'pixljs-w5100' }, { id: 'desk-02', board: 'pixljs-w5100' }]);
  const planned = await f.addDevice('pixljs-w5100');
  const dhcp = await f.addDevice('pixljs-w5100', { sim: { bleAddress: 'd2:04:18:aa:bc:07' } });
  const plan = planFile('station,ip,mask,gateway,dns,mac\ndesk-01,10.20.30.41,255.255.255.0,10.20.30.1,10.20.30.2,90-A2-DA-0F-12-34\n');
  const map = planFile(`${planned.repl.url},desk-01\n${dhcp.repl.url},desk-02\n`);

  const run = await f.run('flash', '--map', map, '--network-plan', plan, '--dhcp-lease', '86400', '--online-timeout', '0', '--json');

  // With --json a device's failure is in the output; stderr has only notes.
  expect(run.code, run.err + run.out).toBe(0);
  expect(config(planned).net).toEqual({ ip: '10.20.30.41', mask: '255.255.255.0', gw: '10.20.30.1', dns: '10.20.30.2', mac: '90:a2:da:0f:12:34' });
  expect(config(dhcp).net).toEqual({ lease: 86400 });
  const results = JSON.parse(run.out) as { station: string; mac: string }[];
  expect(Object.fromEntries(results.map((r) => [r.station, r.mac]))).toEqual({ 'desk-01': '90:a2:da:0f:12:34', 'desk-02': '02:04:18:aa:bc:07' });
});

test('a plan with an address twice is rejected before any device is touched', async () => {
  f = await flashFixture([{ id: 'desk-01', board: 'pixljs-w5100' }]);
  const device = await f.addDevice('pixljs-w5100');
  const before = device.sim.storage.names();
  const plan = planFile('station,ip,mask,gateway,dns\ndesk-01,10.20.30.41,255.255.255.0,10.20.30.1,10.20.30.1\ndesk-02,10.20.30.41,255.255.255.0,10.20.30.1,10.20.30.1\ndesk-03,10.20.30.300,255.255.0.255,10.20.30.1,10.20.30.1\n');

  const run = await f.run('flash', '--port', device.repl.url, '--station', 'desk-01', '--network-plan', plan, '--online-timeout', '0');

  expect(run.code).toBe(1);
  expect(run.err).toMatch(/error: network plan \S+ is not usable:\n\s+line 3: ip 10\.20\.30\.41 is already on line 2\n\s+line 4: ip "10\.20\.30\.300" is not an IPv4 address\n\s+line 4: mask "255\.255\.0\.255" is not a netmask/);
  expect(device.sim.storage.names()).toEqual(before);
});
