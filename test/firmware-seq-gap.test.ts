// Snapshots carry a sequence number: a gap asks the host for a resync, a
// duplicate (QoS 1 redelivery) changes nothing, a bad payload asks again.
import { describe, expect, it } from 'vitest';
import { step } from '../firmware/src/core/state.ts';
import { T0, drain, freshState, online, snap } from './helpers/firmware-fixtures.ts';

describe('snapshot sequence', () => {
  it('requests a sync on a gap and ignores duplicates', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ seq: 4 }) });
    step(s, { t: 'snap', n: 1, v: snap({ seq: 5, hostTimeMs: T0 + 1 }) });
    expect(drain(s)).toEqual([]);
    step(s, { t: 'snap', n: 2, v: snap({ seq: 8, hostTimeMs: T0 + 2, phase: 6 }) });
    expect(drain(s)).toEqual([{ k: 'sync', v: { haveSeq: 5 } }]);
    expect(s.sn?.phase).toBe(6);
    step(s, { t: 'snap', n: 3, v: snap({ seq: 8, hostTimeMs: T0 + 2, phase: 2 }) });
    expect(s.sn?.phase).toBe(6);
    expect(drain(s)).toEqual([]);
  });

  it('accepts a restarted host (seq from 1 again, newer clock)', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ seq: 40 }) });
    step(s, { t: 'snap', n: 5, v: snap({ seq: 1, hostTimeMs: T0 + 60_000, phase: 1 }) });
    expect(s.sn?.phase).toBe(1);
    expect(s.off).toBe(T0 + 60_000 - 5);
  });

  it('a bad payload requests a sync and keeps the last good state', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ seq: 3, phase: 6 }) });
    step(s, { t: 'bad', n: 1 });
    expect(drain(s)).toEqual([{ k: 'sync', v: { haveSeq: 3 } }]);
    expect(s.sn?.phase).toBe(6);
  });
});
