// The demo's virtual agents work the desks through their keys: on a call with
// no account from the IVR, the agent at a virtual desk keys one in and asks
// for the lookup, which travels from the firmware over MQTT to the service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
