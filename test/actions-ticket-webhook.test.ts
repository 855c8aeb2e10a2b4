import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckStatus, ActionKind } from '../protocol/host-codec.ts';
import { openDb } from '../provisioner/db.ts';
import { ActionStore } from '../provisioner/service/actions.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { createStationService } from '../provisioner/service/service.ts';
import { FakeDevice, intoWrapUp, startBroker, tempDir, type TestBroker } from './helpers/service-harness.ts';

describe('ticket webhook: a failed delivery survives a host restart', () => {
  const tmp = tempDir();
  const received: { status: number; body: Record<string, unknown>; auth: string | undefined }[] = [];
  let nextStatus = 500;
  let arrived: () => void = () => {};
  let ticketSystem: Server;
  let url: string;
  let broker: TestBroker;
  let device: FakeDevice;

  beforeAll(async () => {
    ticketSystem = createServer((req, res) => {
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => {
        received.push({ status: nextStatus, body: JSON.parse(text), auth: req.headers.authorization });
        res.writeHead(nextStatus).end();
        arrived();
      });
    });
    await new Promise<void>((resolve) => ticketSystem.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(ticketSystem.address() as AddressInfo).port}/tickets`;
    broker = await startBroker();
    device = await FakeDevice.connect(broker.url, 'wv-09', ['ack']);
  });

  afterAll(async () => {
    await device?.close();
    await broker?.close();
    await new Promise<void>((resolve) => ticketSystem.close(() => resolve()));
    tmp.remove();
  });

  const nextRequest = () => new Promise<void>((resolve) => (arrived = resolve));
  const stations = () => [{ id: 'wv-09', areas: [] }];
  const webhook = () => ({ url, authorization: 'Token tk-1', baseDelayMs: 10_000 });

  it('retries after the restart and delivers the ticket once', async () => {
    const t0 = Date.UTC(2026, 10, 27, 9, 0);
    const firstDb = openDb(tmp.dir);
    const first = createStationService({ mqttUrl: broker.url, db: firstDb, stations, clock: new ManualClock(t0), ticketWebhook: webhook() });
    await first.start();
    intoWrapUp(first, 'wv-09', 'c5');
    const failed = nextRequest();
    await device.publish('action', { key: 'k1', kind: ActionKind.TICKET, callId: 'c5', account: '400000000123' });
    expect(await device.until('ack', (m) => m.key === 'k1')).toMatchObject({ status: AckStatus.ACCEPTED, ref: 'T-2026-000001' });
    await failed;
    await first.stop();
    firstDb.close();

    nextStatus = 200;
    const db = openDb(tmp.dir);
    const delivered = nextRequest();
    const second = createStationService({ mqttUrl: broker.url, db, stations, clock: new ManualClock(t0 + 60_000), ticketWebhook: webhook() });
    await second.start();
    try {
      await delivered;
      expect(received.map((r) => r.status)).toEqual([500, 200]);
      expect(received[1].body).toMatchObject({ ref: 'T-2026-000001', kind: 'TICKET', station: 'wv-09', callId: 'c5', account: '400000000123' });
      expect(received[1].auth).toBe('Token tk-1');
      const store = new ActionStore(db, true);
      while (store.list()[0].delivery !== 'delivered') await new Promise((r) => setTimeout(r, 10));
    } finally {
      await second.stop();
      db.close();
    }
  });
});
