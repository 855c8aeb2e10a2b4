// Wrap-up actions: each goes out once with an idempotency key, and the screen
// marks the ones the host acknowledged (with its reference number).
import { describe, expect, it } from 'vitest';
import { step } from '../firmware/src/core/state.ts';
import { CHECK, view } from '../firmware/src/core/view.ts';
import { T0, call, drain, freshState, online, snap } from './helpers/firmware-fixtures.ts';

describe('action acknowledgement', () => {
  it('sends ticket once, marks it when acknowledged, shows a rejection', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 5, seq: 1, call: call(), wrapUpDeadlineMs: T0 + 300_000 }) });
    step(s, { t: 'key', n: 10, k: '1' });
    step(s, { t: 'key', n: 11, k: 'ticket' });
    const out = drain(s);
    expect(out).toEqual([{ k: 'action', v: { key: 's1-1', kind: 1, callId: 'c-1', account: '', createdMs: T0 + 10 } }]);
    expect(view(s, 12).l[0]).toBe('1 Ticket..');
    step(s, { t: 'ack', n: 20, v: { key: 's1-1', status: 1, ref: 'T-2026-004711', kind: 1, detail: '' } });
    expect(view(s, 21).l[0]).toBe('1 ' + CHECK + 'Ticket');
    expect(view(s, 21).f).toBe(CHECK + 'T-2026-004711');
    step(s, { t: 'key', n: 30, k: 'ok' });
    const [ready] = drain(s);
    expect(ready.v).toMatchObject({ kind: 4, key: 's1-2' });
    step(s, { t: 'ack', n: 40, v: { key: 's1-2', status: 3, ref: '', kind: 4, detail: 'late' } });
    expect(view(s, 41).l[3]).toBe('0 Bereit!');
    // A rejected action may be tried again, under a new key.
    step(s, { t: 'key', n: 50, k: '0' });
    expect(drain(s)[0].v).toMatchObject({ kind: 4, key: 's1-3' });
  });

  it('sends the keyed-in account only when it is whole (the host rejects part of a number)', () => {
    const keyIn = (digits: string) => {
      const s = online(freshState(), 0);
      step(s, { t: 'snap', n: 0, v: snap({ phase: 4, seq: 1, call: call() }) });
      for (const d of digits) step(s, { t: 'key', n: 1, k: d });
      step(s, { t: 'snap', n: 2, v: snap({ phase: 5, seq: 2, call: call(), wrapUpDeadlineMs: T0 + 300_000 }) });
      step(s, { t: 'key', n: 3, k: 'ticket' });
      return drain(s).find((o) => o.k === 'action')!.v;
    };
    expect(keyIn('40012')).toMatchObject({ account: '' });
    expect(keyIn('400123456789')).toMatchObject({ account: '400123456789' });
  });
});
