import { describe, expect, it } from 'vitest';
import { AckStatus, ActionKind, Area, Phase, Reason } from '../protocol/host-codec.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { useServiceRig } from './helpers/service-harness.ts';

type Snap = { phase: number; reason: number; seq: number; wrapUpDeadlineMs: number; wrapUpS: number; phaseSinceMs: number; hostTimeMs: number; call: { callId: string; menu: number; area: number } | null };

describe('a station through whole calls, seen in its retained snapshots', () => {
  const t0 = Date.UTC(2026, 10, 27, 9, 0, 0);
  const clock = new ManualClock(t0);
  const rig = useServiceRig({ stations: [{ id: 'wv-01', areas: [] }], service: { clock, wrapUpSeconds: 1 }, device: { station: 'wv-01' } });

  const snap = (fits: (s: Snap) => boolean, what: string) => rig.device.until<Snap>('snap', (m) => fits(m as unknown as Snap), what);

  it('rings with menu 3, talks, wraps up until the timer expires', async () => {
    const first = await snap((s) => s.phase === Phase.SIGNED_OUT, 'signed out');
    rig.service.ingest({ type: 'sign_in', station: 'wv-01', agent: 'Frau Krüger' });
    await snap((s) => s.phase === Phase.AVAILABLE && s.reason === Reason.SIGNED_IN, 'available');

    rig.service.ingest({ type: 'offered', station: 'wv-01', callId: 'c1', menu: 3 });
    const ringing = await snap((s) => s.phase === Phase.RINGING, 'ringing');
    expect(ringing.call).toMatchObject({ callId: 'c1', menu: 3, area: Area.KM });
    expect(ringing.reason).toBe(Reason.CALL_OFFERED);

    clock.advance(4_000);
    rig.service.ingest({ type: 'answered', station: 'wv-01', callId: 'c1' });
    const talking = await snap((s) => s.phase === Phase.TALKING, 'talking');
    expect(talking.phaseSinceMs).toBe(t0 + 4_000);

    clock.advance(200_000);
    rig.service.ingest({ type: 'hangup', station: 'wv-01', callId: 'c1', by: 'caller' });
    const wrapUp = await snap((s) => s.phase === Phase.WRAP_UP, 'wrap-up');
    expect(wrapUp.reason).toBe(Reason.CALLER_HUNG_UP);
    expect(wrapUp.wrapUpS).toBe(1);
    expect(wrapUp.wrapUpDeadlineMs).toBe(t0 + 204_000 + 1_000);
    expect(wrapUp.hostTimeMs).toBe(t0 + 204_000);
    expect(wrapUp.call).toMatchObject({ callId: 'c1', menu: 3 });

    clock.advance(999);
    expect(rig.service.state('wv-01')?.phase).toBe(Phase.WRAP_UP);
    clock.advance(1);
    const expired = await snap((s) => s.phase === Phase.AVAILABLE, 'available after wrap-up');
    expect(expired.reason).toBe(Reason.WRAP_UP_TIMER_EXPIRED);
    expect(expired.phaseSinceMs).toBe(wrapUp.wrapUpDeadlineMs);
    expect(expired.call).toBeNull();
    expect(expired.seq).toBe(first.seq + 5);
  });

  it('ends wrap-up early when the device sends READY, and acknowledges it', async () => {
    rig.service.ingest({ type: 'offered', station: 'wv-01', callId: 'c2', menu: 1 });
    rig.service.ingest({ type: 'answered', station: 'wv-01', callId: 'c2' });
    clock.advance(60_000);
    rig.service.ingest({ type: 'hangup', station: 'wv-01', callId: 'c2', by: 'agent' });
    const wrapUp = await snap((s) => s.phase === Phase.WRAP_UP, 'wrap-up');
    expect(wrapUp.reason).toBe(Reason.AGENT_HUNG_UP);

    await rig.device.publish('action', { key: 's1-7', kind: ActionKind.READY, callId: 'c2', createdMs: clock.now() });
    const ready = await snap((s) => s.phase === Phase.AVAILABLE, 'available after READY');
    expect(ready.reason).toBe(Reason.AGENT_READY);
    expect(ready.seq).toBe(wrapUp.seq + 1);
    const ack = await rig.device.until('ack', (m) => m.key === 's1-7');
    expect(ack).toMatchObject({ status: AckStatus.ACCEPTED, kind: ActionKind.READY, ref: '' });

    // The timer of that wrap-up is gone: time passing changes nothing.
    clock.advance(5_000);
    expect(rig.service.state('wv-01')).toMatchObject({ phase: Phase.AVAILABLE, reason: Reason.AGENT_READY });

    // READY outside wrap-up is refused with a reason, and nothing moves.
    await rig.device.publish('action', { key: 's1-8', kind: ActionKind.READY, callId: 'c2' });
    const refused = await rig.device.until('ack', (m) => m.key === 's1-8');
    expect(refused).toMatchObject({ status: AckStatus.REJECTED });
    expect(refused.detail).toMatch(/available/);
  });
});
