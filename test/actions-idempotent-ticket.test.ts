import { describe, expect, it } from 'vitest';
import { AckStatus, ActionKind } from '../protocol/host-codec.ts';
import { ActionStore } from '../provisioner/service/actions.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { intoWrapUp, useServiceRig } from './helpers/service-harness.ts';

describe('a ticket sent three times (device retries)', () => {
  const rig = useServiceRig({
    stations: [{ id: 'km-01', areas: [] }],
    service: { clock: new ManualClock(Date.UTC(2026, 10, 27, 9, 30)) },
    device: { station: 'km-01', kinds: ['ack'] },
  });

  it('stores one ticket and acknowledges each copy with the same reference', async () => {
    intoWrapUp(rig.service, 'km-01', 'c1');
    const ticket = { key: 'b7-41', kind: ActionKind.TICKET, callId: 'c1', account: '400123456789', createdMs: Date.UTC(2026, 10, 27, 9, 29) };
    for (let i = 0; i < 3; i++) await rig.device.publish('action', ticket);
    const acks = [];
    for (let i = 0; i < 3; i++) acks.push(await rig.device.until('ack', (m) => m.key === 'b7-41'));
    expect(acks.map((a) => a.status)).toEqual([AckStatus.ACCEPTED, AckStatus.DUPLICATE, AckStatus.DUPLICATE]);
    expect(new Set(acks.map((a) => a.ref))).toEqual(new Set(['T-2026-000001']));
    expect(acks.every((a) => a.kind === ActionKind.TICKET)).toBe(true);

    await rig.device.publish('action', { key: 'b7-42', kind: ActionKind.TICKET, callId: 'c1' });
    await rig.device.publish('action', { key: 'b7-43', kind: ActionKind.LETTER, callId: 'c1' });
    expect(await rig.device.until('ack', (m) => m.key === 'b7-42')).toMatchObject({ status: AckStatus.ACCEPTED, ref: 'T-2026-000002' });
    expect(await rig.device.until('ack', (m) => m.key === 'b7-43')).toMatchObject({ status: AckStatus.ACCEPTED, ref: 'L-2026-000001' });

    const stored = new ActionStore(rig.db, false).list();
    expect(stored.map((a) => [a.ref, a.kind, a.station, a.key])).toEqual([
      ['T-2026-000001', 'TICKET', 'km-01', 'b7-41'],
      ['T-2026-000002', 'TICKET', 'km-01', 'b7-42'],
      ['L-2026-000001', 'LETTER', 'km-01', 'b7-43'],
    ]);
    expect(stored[0]).toMatchObject({ callId: 'c1', account: '400123456789', createdMs: ticket.createdMs });
  });

  it('takes a key the desk used before for another call as a new action (counter restarted), and its retries as duplicates', async () => {
    rig.service.ingest({ type: 'ready', station: 'km-01' });
    intoWrapUp(rig.service, 'km-01', 'c2');
    const reused = { key: 'b7-41', kind: ActionKind.TICKET, callId: 'c2', account: '400123456789' };
    await rig.device.publish('action', reused);
    await rig.device.publish('action', reused);
    const first = await rig.device.until('ack', (m) => m.key === 'b7-41' && m.ref !== 'T-2026-000001');
    const retry = await rig.device.until('ack', (m) => m.key === 'b7-41');
    expect([first.status, first.ref]).toEqual([AckStatus.ACCEPTED, 'T-2026-000003']);
    expect([retry.status, retry.ref]).toEqual([AckStatus.DUPLICATE, 'T-2026-000003']);
    const stored = new ActionStore(rig.db, false).list().filter((a) => a.callId === 'c2');
    expect(stored.map((a) => [a.ref, a.key])).toEqual([['T-2026-000003', 'b7-41@c2']]);
  });
});
