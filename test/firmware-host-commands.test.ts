// Host commands the core handles: RESYNC asks for a snapshot, IDENTIFY flashes
// and beeps for 5 s, CONFIG switches language and account length at once.
import { describe, expect, it } from 'vitest';
import { step } from '../firmware/src/core/state.ts';
import { view } from '../firmware/src/core/view.ts';
import { call, drain, freshState, online, snap } from './helpers/firmware-fixtures.ts';

describe('host commands', () => {
  it('RESYNC, IDENTIFY and CONFIG', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 4, seq: 7, call: call() }) });
    drain(s);
    step(s, { t: 'cmd', n: 10, v: { id: 'a', kind: 1, config: null } });
    expect(drain(s)).toEqual([{ k: 'sync', v: { haveSeq: 7 } }]);
    step(s, { t: 'cmd', n: 1000, v: { id: 'b', kind: 3, config: null } });
    expect([view(s, 2000).i, view(s, 2500).i, view(s, 2000).z]).toEqual([true, false, true]);
    expect(view(s, 6000).z).toBe(false);
    step(s, { t: 'cmd', n: 7000, v: { id: 'c', kind: 5, config: { version: 2, lang: 'en', accountDigits: 10 } } });
    const lines = view(s, 7000).l;
    expect(lines).toContain('Contract account:');
    expect(lines).toContain('__________');
    // Out-of-range values are ignored.
    step(s, { t: 'cmd', n: 8000, v: { id: 'd', kind: 5, config: { version: 3, lang: 'fr', accountDigits: 99 } } });
    expect([s.lang, s.dig]).toEqual(['en', 10]);
  });
});
