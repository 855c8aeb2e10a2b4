// What a station sends is bounded at the host before anything is stored:
// idempotency keys, correlation and call ids of at most 64 characters without
// control characters, accounts empty or of the configured length in digits,
// times up to 2^53. Anything else is REJECTED (actions) or audited as
// rejected without a lookup (lookups), and no table grows by junk.
import { describe, expect, it } from 'vitest';
import { AccountSource, AckStatus, ActionKind, encodeMessage, LookupStatus } from '../protocol/host-codec.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { intoWrapUp, useServiceRig } from './helpers/service-harness.ts';

const HUGE = 'x'.repeat(30_000);

describe('device-supplied fields', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 9));
  const rig = useServiceRig({
    stations: [{ id: 'wv-01', areas: [] }],
    service: { clock, wrapUpSeconds: 300 },
    device: { station: 'wv-01', kinds: ['ack', 'lookup'] },
  });
  const longest = (sql: string) => (rig.db.prepare(sql).get() as { n: number | null }).n ?? 0;

  it('reject an action whose key, call id, account or time is out of bounds', async () => {
    intoWrapUp(rig.service, 'wv-01', 'c1');
    const good = { key: 'k', kind: ActionKind.TICKET, callId: 'c1', account: '', createdMs: clock.now() };
    const send = async (key: string, change: object) => {
      await rig.device.publish('action', { ...good, key, ...change });
      return rig.device.until('ack', (m) => m.key === key || m.key === '', key.slice(0, 20));
    };
    const rejected = (field: string) => ({ status: AckStatus.REJECTED, ref: '', detail: expect.stringContaining(field) });

    expect(await send('x'.repeat(60_000), {})).toMatchObject({ ...rejected('key'), key: '' });
    expect(await send('k'.repeat(65), {})).toMatchObject(rejected('key'));
    expect(await send('k\x1b[2J', {})).toMatchObject(rejected('key'));
    expect(await send('a1', { callId: HUGE })).toMatchObject(rejected('callId'));
    expect(await send('a2', { account: HUGE })).toMatchObject(rejected('account'));
    expect(await send('a3', { account: '40000000000' })).toMatchObject(rejected('account'));
    expect(await send('a4', { account: '4000000000x1' })).toMatchObject(rejected('account'));

    // 2^64 - 1: the host codec refuses to write it, so the bytes are made by hand (a later field wins).
    const createdMs = new Uint8Array([0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const bytes = encodeMessage('Action', { ...good, key: 'a5' });
    await rig.device.publishRaw('action', new Uint8Array([...bytes, ...createdMs]));
    expect(await rig.device.until('ack', (m) => m.key === 'a5')).toMatchObject(rejected('createdMs'));

    expect(await send('k'.repeat(64), { account: '400000000001' })).toMatchObject({ status: AckStatus.ACCEPTED, ref: 'T-2026-000001' });
    expect(longest('SELECT MAX(LENGTH(key) + LENGTH(call_id) + LENGTH(account)) AS n FROM svc_action')).toBe(64 + 2 + 12);
  });

  it('do not look up (or store at length) a lookup with an oversized correlation or call id', async () => {
    await rig.device.publish('lookup', { corr: HUGE, account: '400000000001', source: AccountSource.KEYPAD, callId: 'c1' });
    await rig.device.publish('lookup', { corr: 'l1', account: '400000000001', source: AccountSource.KEYPAD, callId: HUGE });
    await rig.device.publish('lookup', { corr: 'l2', account: HUGE, source: AccountSource.KEYPAD, callId: 'c1' });
    // Answers come in order: once l2's is here, the two before it were handled.
    expect(await rig.device.until('lookup', (m) => m.corr === 'l2')).toMatchObject({ status: LookupStatus.INVALID_NUMBER, account: 'x'.repeat(32) });
    expect(rig.device.received.filter((r) => r.kind === 'lookup').map((r) => r.msg.corr)).toEqual(['l2']);
    const audit = rig.db.prepare('SELECT outcome, detail, LENGTH(corr) + LENGTH(call_id) + LENGTH(account) AS size FROM svc_audit ORDER BY id').all();
    expect(audit).toEqual([
      { outcome: 'REJECTED', detail: expect.stringContaining('corr'), size: expect.any(Number) },
      { outcome: 'REJECTED', detail: expect.stringContaining('callId'), size: expect.any(Number) },
      { outcome: 'INVALID_NUMBER', detail: expect.any(String), size: expect.any(Number) },
    ]);
    expect(Math.max(...audit.map((a) => (a as { size: number }).size))).toBeLessThanOrEqual(64 + 64 + 32);
  });
});
