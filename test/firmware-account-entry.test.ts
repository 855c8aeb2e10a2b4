// Keying in the contract account number during a call: keypad digits with
// back as correction, and the up/down/next entry of the 4-button Pixl.js.
import { describe, expect, it } from 'vitest';
import { State, step } from '../firmware/src/core/state.ts';
import { view } from '../firmware/src/core/view.ts';
import { call, drain, freshState, online, snap } from './helpers/firmware-fixtures.ts';

function talking(kp: boolean, digits = 12): State {
  const s = online(freshState({ kp, digits }), 0);
  step(s, { t: 'snap', n: 0, v: snap({ phase: 4, seq: 1, call: call({ answeredMs: 1 }) }) });
  drain(s);
  return s;
}

function keys(s: State, ks: string[]) {
  for (const k of ks) step(s, { t: 'key', n: 1, k });
}

describe('account entry', () => {
  it('keypad: digits append, back deletes, ok sends only a complete number', () => {
    const s = talking(true, 6);
    keys(s, ['1', '2', '9', 'back', '3', '4', '5']);
    expect(s.acc).toBe('12345');
    expect(view(s, 1).l).toContain('12345_');
    keys(s, ['ok']);
    expect(s.out).toEqual([]);
    keys(s, ['6', '7']); // the seventh digit does not fit
    expect(s.acc).toBe('123456');
    keys(s, ['ok']);
    expect(drain(s)).toEqual([{ k: 'lookup', v: { corr: 's1-1', account: '123456', source: 1, callId: 'c-1' } }]);
    expect(view(s, 2).l).toContain('Suche...');
  });

  it('editing after a lookup clears the shown result', () => {
    const s = talking(true, 4);
    keys(s, ['1', '2', '3', '4', 'ok']);
    step(s, { t: 'res', n: 5, v: { corr: 's1-1', status: 2, account: '1234', name: '', street: '', place: '', openItems: 0, openCents: 0 } });
    expect(view(s, 5).l).toContain('Nicht gefunden');
    keys(s, ['back']);
    expect(s.lk).toBeNull();
    expect(view(s, 6).l).toContain('123_');
  });

  it('buttons: up/down change the digit under the cursor, next moves on and wraps for corrections', () => {
    const s = talking(false, 4);
    keys(s, ['up', 'up', 'next', 'down', 'next', 'up', 'next', 'down', 'down']);
    expect(s.acc).toBe('1908');
    expect(s.cur).toBe(3);
    expect(view(s, 1).l).toContain('190[8]');
    keys(s, ['next', 'up']); // wraps to the first digit to correct it
    expect(s.acc).toBe('2908');
    keys(s, ['ok']);
    expect(drain(s)[0].v).toMatchObject({ account: '2908', source: 1 });
  });

  it('keys do nothing outside a call', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 2, seq: 1 }) });
    keys(s, ['1', 'ok', 'ready']);
    expect(s.acc).toBe('');
    expect(s.out).toEqual([]);
  });
});
