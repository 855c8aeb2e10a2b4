// A lookup with no answer after ~5 s says so; a result still wins if it comes late.
import { describe, expect, it } from 'vitest';
import { step } from '../firmware/src/core/state.ts';
import { view } from '../firmware/src/core/view.ts';
import { call, drain, freshState, online, snap } from './helpers/firmware-fixtures.ts';

describe('lookup timeout', () => {
  it('shows "no answer" after 5 s of silence, and every failure status in words', () => {
    const s = online(freshState({ lang: 'en', digits: 4 }), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 4, seq: 1, call: call() }) });
    for (const k of ['1', '2', '3', '4', 'ok']) step(s, { t: 'key', n: 1_000, k });
    const [req] = drain(s);
    step(s, { t: 'tick', n: 5_999 });
    expect(view(s, 5_999).l).toContain('Looking up...');
    step(s, { t: 'tick', n: 6_000 });
    expect(view(s, 6_000).l).toContain('No answer');
    const corr = (req.v as { corr: string }).corr;
    const words: Record<number, string> = { 2: 'Not found', 3: 'Invalid number', 4: 'Too many requests', 5: 'Directory down' };
    for (const status of [2, 3, 4, 5]) {
      step(s, { t: 'res', n: 7_000, v: { corr, status, account: '1234', name: '', street: '', place: '', openItems: 0, openCents: 0 } });
      expect(view(s, 7_000).l).toContain(words[status]);
    }
  });
});
