import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phase, Reason } from '../protocol/host-codec.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { HttpSource } from '../provisioner/service/sources/http.ts';
import { useServiceRig } from './helpers/service-harness.ts';

describe('POST /events: auth, field errors, phase conflicts', () => {
  const webhook = new HttpSource({ token: 'hook-token-9' });
  const rig = useServiceRig({ stations: [{ id: 'wv-01', areas: [] }, { id: 'wv-02', areas: [] }], service: { clock: new ManualClock(Date.UTC(2026, 10, 27, 8)) } });

  beforeAll(async () => {
    await webhook.start((raw) => rig.service.ingest(raw));
  });

  afterAll(async () => {
    await webhook.stop();
  });

  const post = async (body: string, token: string | null = 'hook-token-9') => {
    const res = await fetch(webhook.url, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers each kind of bad request precisely and applies only the good ones', async () => {
    const signIn = JSON.stringify({ type: 'sign_in', station: 'wv-01', agent: 'a1' });
    expect(await post(signIn, null)).toEqual({ status: 401, body: { error: 'missing or wrong bearer token' } });
    expect((await post(signIn, 'hook-token-8')).status).toBe(401);
    expect(rig.service.state('wv-01')?.phase).toBe(Phase.SIGNED_OUT);

    expect(await post(signIn)).toMatchObject({ status: 200, body: { ok: true, station: 'wv-01', phase: 'available' } });

    const bad = await post('{"type":"offered","station":"wv-01"');
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([{ field: '(body)', problem: expect.stringMatching(/^not valid JSON/) }]);

    expect(await post(JSON.stringify({ type: 'offered', station: 'wv-01', callId: '', menu: 0, area: 'XY' }))).toEqual({
      status: 400,
      body: {
        error: 'invalid event',
        fields: [
          { field: 'callId', problem: 'must be a non-empty string' },
          { field: 'menu', problem: 'must be an integer 1-6' },
          { field: 'area', problem: 'must be one of WV, KM' },
        ],
      },
    });
    expect(await post(JSON.stringify({ type: 'offered', station: 'wv-77', callId: 'c1', menu: 1 }))).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'station', problem: '"wv-77" is not registered' }] },
    });
    expect(rig.service.state('wv-01')?.phase).toBe(Phase.AVAILABLE);

    expect(await post(JSON.stringify({ type: 'hangup', station: 'wv-01', callId: 'c1', by: 'caller' }))).toEqual({
      status: 409,
      body: { error: 'station wv-01 is available; "hangup" needs talking' },
    });

    // A transfer to a desk that cannot take the call is refused whole: the
    // first station keeps talking, the target stays as it was.
    const target = rig.service.state('wv-02');
    await post(JSON.stringify({ type: 'offered', station: 'wv-01', callId: 'c1', menu: 1 }));
    await post(JSON.stringify({ type: 'answered', station: 'wv-01', callId: 'c1' }));
    expect(await post(JSON.stringify({ type: 'transferred', station: 'wv-01', callId: 'c1', toStation: 'wv-02' }))).toEqual({
      status: 409,
      body: { error: 'station wv-02 is signed-out; "offered" needs available' },
    });
    expect(rig.service.state('wv-01')?.phase).toBe(Phase.TALKING);
    expect(rig.service.state('wv-02')).toBe(target);

    await post(JSON.stringify({ type: 'sign_in', station: 'wv-02', agent: 'a2' }));
    expect(await post(JSON.stringify({ type: 'transferred', station: 'wv-01', callId: 'c1', toStation: 'wv-02' }))).toMatchObject({ status: 200, body: { phase: 'wrap-up', reason: Reason.TRANSFERRED } });
    expect(rig.service.state('wv-02')).toMatchObject({ phase: Phase.RINGING, call: { callId: 'c1', menu: 1 } });

    const wrongMethod = await fetch(webhook.url, { headers: { authorization: 'Bearer hook-token-9' } });
    expect(wrongMethod.status).toBe(405);
    await wrongMethod.body?.cancel();
  });
});
