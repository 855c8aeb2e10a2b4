import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountSource, LookupStatus } from '../protocol/host-codec.ts';
import { openDb, type Db } from '../provisioner/db.ts';
import { AuditLog } from '../provisioner/service/audit.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { HttpDirectory } from '../provisioner/service/directory.ts';
import { createStationService, type StationService } from '../provisioner/service/service.ts';
import { FakeDevice, startBroker, tempDir, type TestBroker } from './helpers/service-harness.ts';

describe('HTTP directory: found, not found, failing, hanging and gone', () => {
  const tmp = tempDir();
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 12, 0, 0));
  const requests: { url: string; auth: string | undefined }[] = [];
  let hanging: (() => void) | null = null;
  let crm: Server;
  let broker: TestBroker;
  let db: Db;
  let service: StationService;
  let device: FakeDevice;

  beforeAll(async () => {
    crm = createServer((req, res) => {
      requests.push({ url: req.url ?? '', auth: req.headers.authorization });
      const account = (req.url ?? '').split('/').pop();
      if (account === '100000000001') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'Schulz', street: 'Hohenzollerndamm 44', place: '10713 Berlin', openItems: 0, openCents: 0 }));
      if (account === '100000000002') return res.writeHead(404).end();
      if (account === '100000000003') return res.writeHead(503).end('maintenance');
      hanging = () => res.destroy();
    });
    await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
    const { port } = crm.address() as AddressInfo;
    broker = await startBroker();
    db = openDb(tmp.dir);
    service = createStationService({
      mqttUrl: broker.url,
      db,
      stations: () => [{ id: 'wv-03', areas: [] }],
      clock,
      directory: new HttpDirectory({ urlTemplate: `http://127.0.0.1:${port}/accounts/{account}`, authorization: 'Bearer crm-secret', timeoutMs: 60_000 }),
      lookupDeadlineMs: 3000,
    });
    await service.start();
    device = await FakeDevice.connect(broker.url, 'wv-03', ['lookup']);
  });

  afterAll(async () => {
    hanging?.();
    await device?.close();
    await service?.stop();
    db?.close();
    await broker?.close();
    crm.closeAllConnections();
    await new Promise<void>((resolve) => crm.close(() => resolve()));
    tmp.remove();
  });

  const ask = async (corr: string, account: string) => {
    await device.publish('lookup', { corr, account, source: AccountSource.KEYPAD });
    return device.until('lookup', (m) => m.corr === corr, `corr ${corr}`);
  };

  it('maps the backend answers and failures, each within the deadline, and audits them', async () => {
    expect(await ask('h1', '100000000001')).toMatchObject({ status: LookupStatus.FOUND, name: 'Schulz' });
    expect(requests[0]).toEqual({ url: '/accounts/100000000001', auth: 'Bearer crm-secret' });
    expect(await ask('h2', '100000000002')).toMatchObject({ status: LookupStatus.NOT_FOUND });
    expect(await ask('h3', '100000000003')).toMatchObject({ status: LookupStatus.DIRECTORY_UNAVAILABLE });

    // A backend that accepts and never answers: the host's deadline answers for it.
    await device.publish('lookup', { corr: 'h4', account: '100000000004', source: AccountSource.KEYPAD });
    while (requests.length < 4) await new Promise((r) => setTimeout(r, 10));
    clock.advance(3000);
    expect(await device.until('lookup', (m) => m.corr === 'h4')).toMatchObject({ status: LookupStatus.DIRECTORY_UNAVAILABLE });

    // The backend is gone altogether.
    crm.closeAllConnections();
    await new Promise<void>((resolve) => crm.close(() => resolve()));
    expect(await ask('h5', '100000000001')).toMatchObject({ status: LookupStatus.DIRECTORY_UNAVAILABLE });

    const audit = new AuditLog(db).list();
    expect(audit.map((a) => [a.corr, a.outcome])).toEqual([
      ['h1', 'FOUND'],
      ['h2', 'NOT_FOUND'],
      ['h3', 'DIRECTORY_UNAVAILABLE'],
      ['h4', 'DIRECTORY_UNAVAILABLE'],
      ['h5', 'DIRECTORY_UNAVAILABLE'],
    ]);
    expect(audit[2].detail).toBe('directory answered HTTP 503');
    expect(audit[3].detail).toBe('no answer within 3000 ms');
    expect(audit[4].detail).toMatch(/directory request failed/);
    expect(JSON.stringify(audit)).not.toMatch(/crm-secret/);
  });
});
