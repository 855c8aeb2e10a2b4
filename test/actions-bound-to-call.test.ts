// A ticket, letter or forward belongs to the call the station is wrapping up
// (or whose wrap-up ended within the documented grace); READY ends only the
// wrap-up of the call it names. Anything else is REJECTED with a reason and
// stores nothing.
import { describe, expect, it } from 'vitest';
import { AckStatus, ActionKind, Phase } from '../protocol/host-codec.ts';
import { ActionStore } from '../provisioner/service/actions.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { ACTION_GRACE_MS } from '../provisioner/service/machine.ts';
import { intoWrapUp, useServiceRig } from './helpers/service-harness.ts';

describe('wrap-up actions are bound to the call', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 9));
  const rig = useServiceRig({
    stations: [{ id: 'wv-01', areas: [] }, { id: 'wv-02', areas: [] }],
    service: { clock, wrapUpSeconds: 300 },
    device: { station: 'wv-01', kinds: ['ack'] },
  });
  let n = 0;
  const act = async (kind: number, callId: string) => {
    const key = `s1-${++n}`;
    await rig.device.publish('action', { key, kind, callId, account: '', createdMs: clock.now() });
    return rig.device.until('ack', (m) => m.key === key, key);
  };
  const rejected = { status: AckStatus.REJECTED, ref: '', detail: expect.stringMatching(/.+/) };

  it('refuses them outside the call’s wrap-up and takes them in it', async () => {
    const { service } = rig;
    service.ingest({ type: 'sign_in', station: 'wv-01', agent: 'a1' });
    expect(await act(ActionKind.TICKET, 'c1')).toMatchObject(rejected);
    service.ingest({ type: 'offered', station: 'wv-01', callId: 'c1', menu: 1 });
    expect(await act(ActionKind.TICKET, 'none')).toMatchObject(rejected);
    expect(await act(ActionKind.TICKET, 'c1')).toMatchObject(rejected);
    service.ingest({ type: 'answered', station: 'wv-01', callId: 'c1' });
    expect(await act(ActionKind.LETTER, 'c1')).toMatchObject(rejected);
    service.ingest({ type: 'hangup', station: 'wv-01', callId: 'c1', by: 'caller' });

    expect(await act(ActionKind.TICKET, 'c0')).toMatchObject(rejected);
    expect(await act(ActionKind.READY, 'c0')).toMatchObject(rejected);
    expect(service.state('wv-01')?.phase).toBe(Phase.WRAP_UP);
    expect(await act(ActionKind.TICKET, 'c1')).toMatchObject({ status: AckStatus.ACCEPTED, ref: 'T-2026-000001' });
    expect(await act(ActionKind.READY, 'c1')).toMatchObject({ status: AckStatus.ACCEPTED });
    expect(service.state('wv-01')?.phase).toBe(Phase.AVAILABLE);

    // A letter sent as the wrap-up ended (queued on the desk during a short outage) still counts.
    clock.advance(ACTION_GRACE_MS);
    expect(await act(ActionKind.LETTER, 'c1')).toMatchObject({ status: AckStatus.ACCEPTED, ref: 'L-2026-000001' });
    clock.advance(1);
    expect(await act(ActionKind.FORWARD, 'c1')).toMatchObject(rejected);

    // Another station's call in wrap-up is not this station's to file for.
    intoWrapUp(service, 'wv-02', 'c2');
    expect(await act(ActionKind.TICKET, 'c2')).toMatchObject(rejected);

    const stored = new ActionStore(rig.db, false).list();
    expect(stored.map((a) => [a.ref, a.callId])).toEqual([
      ['T-2026-000001', 'c1'],
      ['L-2026-000001', 'c1'],
    ]);
  });
});
