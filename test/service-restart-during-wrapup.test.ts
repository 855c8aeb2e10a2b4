import { describe, expect, it } from 'vitest';
import { Phase, Reason } from '../protocol/host-codec.ts';
import { killHard, postEvent, useHostProcessRig } from './helpers/service-harness.ts';

type Snap = { phase: number; reason: number; seq: number; wrapUpDeadlineMs: number; phaseSinceMs: number; call: { callId: string } | null };

describe('host killed during wrap-up', () => {
  const rig = useHostProcessRig('wv-01', 'test-token-123');

  it('keeps the wrap-up deadline across a kill -9 and restart', async () => {
    const first = await rig.startHost(['--station', 'wv-01']);
    const post = async (events: string, body: object) => expect(await postEvent(events, 'test-token-123', body)).toMatchObject({ status: 200 });
    await post(first.events, { type: 'sign_in', station: 'wv-01', agent: 'a1' });
    await post(first.events, { type: 'offered', station: 'wv-01', callId: 'c1', menu: 2 });
    await post(first.events, { type: 'answered', station: 'wv-01', callId: 'c1' });
    await post(first.events, { type: 'hangup', station: 'wv-01', callId: 'c1', by: 'caller' });
    const before = await rig.device.until<Snap>('snap', (m) => m.phase === Phase.WRAP_UP, 'wrap-up');
    expect(before.wrapUpDeadlineMs).toBe(before.phaseSinceMs + 300_000);

    await killHard(first.child);

    await rig.startHost(['--station', 'wv-01']);
    const after = await rig.device.until<Snap>('snap', (m) => (m.seq as number) > before.seq, 'a snapshot from the restarted host');
    expect(after.phase).toBe(Phase.WRAP_UP);
    expect(after.reason).toBe(Reason.CALLER_HUNG_UP);
    expect(after.wrapUpDeadlineMs).toBe(before.wrapUpDeadlineMs);
    expect(after.call?.callId).toBe('c1');
    expect(after.seq).toBe(before.seq + 1);
  });
});
