// The wrap-up countdown comes from the host's absolute deadline and the clock
// offset of the latest snapshot, whatever the device's own clock says.
import { describe, expect, it } from 'vitest';
import { step } from '../firmware/src/core/state.ts';
import { view, screenText } from '../firmware/src/core/view.ts';
import { T0, call, freshState, online, snap } from './helpers/firmware-fixtures.ts';

describe('wrap-up countdown', () => {
  it('counts from the deadline using the host clock offset, not the local clock', () => {
    const s = online(freshState(), 5_000);
    // The device clock is far behind the host (it booted at 0): only the offset matters.
    step(s, { t: 'snap', n: 5_000, v: snap({ phase: 5, seq: 1, call: call(), hostTimeMs: T0, wrapUpDeadlineMs: T0 + 300_000 }) });
    expect(view(s, 5_000).b).toBe('5:00');
    expect(view(s, 5_000 + 150_000).b).toBe('2:30');
    expect(view(s, 5_000 + 299_000).b).toBe('0:01');
  });

  it('a snapshot after a reconnect with less time left sets the countdown right at once', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 5, seq: 1, call: call(), hostTimeMs: T0, wrapUpDeadlineMs: T0 + 300_000 }) });
    // Rebooted device: local clock restarted at 10, host is 200 s later.
    const r = online(freshState(), 10);
    step(r, { t: 'snap', n: 10, v: snap({ phase: 5, seq: 2, call: call(), hostTimeMs: T0 + 200_000, wrapUpDeadlineMs: T0 + 300_000 }) });
    expect(view(r, 10).b).toBe('1:40');
  });

  it('stops at 0:00 with a full bar and waits for the host', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 5, seq: 1, call: call(), wrapUpDeadlineMs: T0 + 300_000 }) });
    const sc = view(s, 400_000);
    expect(sc.b).toBe('0:00');
    expect(sc.p).toBe(1);
    expect(sc.k).toBe('wrap');
  });

  it('keeps counting while the link is down and shows the offline mark', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 5, seq: 1, call: call(), wrapUpDeadlineMs: T0 + 300_000 }) });
    step(s, { t: 'link', n: 1_000, k: 'broker', d: '' });
    const sc = view(s, 60_000);
    expect(sc.b).toBe('4:00');
    expect(screenText(sc)[0]).toContain('OFFLINE');
  });
});
