import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phase, Reason } from '../protocol/host-codec.ts';
import { FakeDevice, killHard, postEvent, startBroker, startHostProcess, tempDir, type TestBroker } from './service-harness.ts';

type Snap = { phase: number; reason: number; seq: number; wrapUpDeadlineMs: number; hostTimeMs: number; phaseSinceMs: number };

describe('host killed in wrap-up and back after the deadline', () => {
  const tmp = tempDir();
  const tokenFile = join(tmp.dir, 'events.token');
  let broker: TestBroker;
  let device: FakeDevice;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    writeFileSync(tokenFile, 'tok-past\n');
    broker = await startBroker();
    device = await FakeDevice.connect(broker.url, 'km-05', ['snap']);
  });

  afterAll(async () => {
    for (const c of children) await killHard(c);
    await device?.close();
    await broker?.close();
    tmp.remove();
  });

  it('finds the station available, dated at the deadline, with the timer as the reason', async () => {
    const home = join(tmp.dir, 'home');
    const args = ['--station', 'km-05', '--wrap-up', '2'];
    const first = await startHostProcess(broker.url, home, tokenFile, args);
    children.push(first.child);
    for (const event of [
      { type: 'sign_in', station: 'km-05', agent: 'a5' },
      { type: 'offered', station: 'km-05', callId: 'c1', menu: 6 },
      { type: 'answered', station: 'km-05', callId: 'c1' },
      { type: 'hangup', station: 'km-05', callId: 'c1', by: 'agent' },
    ]) expect(await postEvent(first.events, 'tok-past', event)).toMatchObject({ status: 200 });
    const wrapUp = await device.until<Snap>('snap', (m) => m.phase === Phase.WRAP_UP, 'wrap-up');
    await killHard(first.child);

    while (Date.now() <= wrapUp.wrapUpDeadlineMs) await new Promise((r) => setTimeout(r, 100));
    const restartedAt = Date.now();
    const second = await startHostProcess(broker.url, home, tokenFile, args);
    children.push(second.child);
    const after = await device.until<Snap>('snap', (m) => (m.hostTimeMs as number) >= restartedAt, 'a snapshot from the restarted host');
    expect(after).toMatchObject({ phase: Phase.AVAILABLE, reason: Reason.WRAP_UP_TIMER_EXPIRED, phaseSinceMs: wrapUp.wrapUpDeadlineMs, wrapUpDeadlineMs: 0 });
  });
});
