// Every wrap-up action is one key away on both kinds of input: keypad digits
// 1/2/3/0 (and #), the Pixl.js buttons up/down/next/ok, or the named keys.
import { describe, expect, it } from 'vitest';
import { step } from '../firmware/src/core/state.ts';
import { view } from '../firmware/src/core/view.ts';
import { T0, call, drain, freshState, online, snap } from './helpers/firmware-fixtures.ts';

function kindsFor(keys: string[], kp: boolean): number[] {
  const s = online(freshState({ kp }), 0);
  step(s, { t: 'snap', n: 0, v: snap({ phase: 5, seq: 1, call: call(), wrapUpDeadlineMs: T0 + 300_000 }) });
  for (const k of keys) step(s, { t: 'key', n: 1, k });
  return drain(s).map((o) => (o.v as { kind: number }).kind);
}

describe('wrap-up keys', () => {
  it('keypad: 1 ticket, 2 letter, 3 forward, 0 ready', () => {
    expect(kindsFor(['1', '2', '3', '0'], true)).toEqual([1, 2, 3, 4]);
    expect(kindsFor(['ok'], true)).toEqual([4]);
  });

  it('buttons: up ticket, down letter, next forward, ok ready; named keys too', () => {
    expect(kindsFor(['up', 'down', 'next', 'ok'], false)).toEqual([1, 2, 3, 4]);
    expect(kindsFor(['ticket', 'letter', 'fwd', 'ready'], false)).toEqual([1, 2, 3, 4]);
  });

  it('other keys do nothing, and the cells name the keys on a keypad', () => {
    expect(kindsFor(['4', '9', 'back'], true)).toEqual([]);
    // Pieces of the catalogue's ' key:kind' string are no keys.
    expect(kindsFor(['', 'tick', 'u', '1:1', ':'], false)).toEqual([]);
    const s = online(freshState({ kp: true }), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 5, seq: 1, call: call(), wrapUpDeadlineMs: T0 + 300_000 }) });
    expect(view(s, 0).l).toEqual(['1 Ticket', '2 Brief', '3 Weiterl.', '0 Bereit']);
  });
});
