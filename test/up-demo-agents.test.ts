// The demo's virtual agents work the desks through their keys: on a call with
// no account from the IVR, the agent at a virtual desk keys one in and asks
// for the lookup, which travels from the firmware over MQTT to the service.
// A call with the IVR's number is looked up once, by the host, and the desk
// shows that result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDirectoryCsv } from '../provisioner/demo/directory.ts';
import type { LookupOutcome } from '../provisioner/service/service.ts';
import { startUpFixture, until, type UpFixture } from './helpers/up-fixture.ts';

let fx: UpFixture;
beforeAll(async () => {
  fx = await startUpFixture(['--demo', '--stations', '2', '--no-demo-calls']);
});
afterAll(async () => {
  await fx?.close();
});

describe('virtual agents', () => {
  it('key in an account during a call and the service looks it up', async () => {
    const { service, registry } = fx.up;
    const lookups: LookupOutcome[] = [];
    service.on('lookup', (outcome) => lookups.push(outcome));
    await until(() => registry.getStation('km-01')?.online, 'the desk online');
    service.ingest({ type: 'sign_in', station: 'km-01', agent: 'Demo' });
    service.ingest({ type: 'offered', station: 'km-01', callId: 'call-a', menu: 2 });
    service.ingest({ type: 'answered', station: 'km-01', callId: 'call-a' });
    const lookup = await until(() => lookups.find((l) => l.station === 'km-01'), 'a lookup from the virtual agent', 400);
    expect(lookup.account).toMatch(/^4\d{11}$/);
    expect(fx.up.desks.get('km-01')!.view().account).toBe(lookup.account);
  });

  it("looks the IVR's number up once and the desk shows the host's result", async () => {
    const { service, registry } = fx.up;
    const lookups: LookupOutcome[] = [];
    service.on('lookup', (outcome) => lookups.push(outcome));
    const desk = fx.up.desks.get('wv-01')!;
    await until(() => registry.getStation('wv-01')?.online && desk.sim.screen().some((l) => l.includes('Abgemeldet')), 'the desk online');
    service.ingest({ type: 'sign_in', station: 'wv-01', agent: 'Demo' });
    const [account, name] = demoDirectoryCsv().split('\n')[1].split(',');
    service.ingest({ type: 'offered', station: 'wv-01', callId: 'call-ivr', menu: 4, ivrAccount: account });
    await until(() => desk.sim.screen().includes(name), "the customer's name on the desk");
    expect(lookups.filter((l) => l.station === 'wv-01')).toEqual([expect.objectContaining({ corr: 'ivr:call-ivr', account })]);
  });
});
