import { describe, expect, it } from 'vitest';
import { Phase, Reason } from '../protocol/host-codec.ts';
import { killHard, postEvent, useHostProcessRig } from './helpers/service-harness.ts';

type Snap = { phase: number; reason: number; seq: number; wrapUpDeadlineMs: number; hostTimeMs: number; phaseSinceMs: number };

describe('host killed in wrap-up and back after the deadline', () => {
  const rig = useHostProcessRig('km-05', 'tok-past');

  it('finds the station available, dated at the deadline, with the timer as the reason', async () => {
    const args = ['--station', 'km-05', '--wrap-up', '2'];
    const first = await rig.startHost(args);
    for (const event of [
      { type: 'sign_in', station: 'km-05', agent: 'a5' },
      { type: 'offered', station: 'km-05', callId: 'c1', menu: 6 },
      { type: 'answered', station: 'km-05', callId: 'c1' },
      { type: 'hangup', station: 'km-05', callId: 'c1', by: 'agent' },
    ]) expect(await postEvent(first.events, 'tok-past', event)).toMatchObject({ status: 200 });
    const wrapUp = await rig.device.until<Snap>('snap', (m) => m.phase === Phase.WRAP_UP, 'wrap-up');
    await killHard(first.child);

    while (Date.now() <= wrapUp.wrapUpDeadlineMs) await new Promise((r) => setTimeout(r, 100));
    const restartedAt = Date.now();
    await rig.startHost(args);
    const after = await rig.device.until<Snap>('snap', (m) => (m.hostTimeMs as number) >= restartedAt, 'a snapshot from the restarted host');
    expect(after).toMatchObject({ phase: Phase.AVAILABLE, reason: Reason.WRAP_UP_TIMER_EXPIRED, phaseSinceMs: wrapUp.wrapUpDeadlineMs, wrapUpDeadlineMs: 0 });
  });
});
