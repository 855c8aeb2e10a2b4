import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../provisioner/cli.ts';
import { openDb, type Db } from '../provisioner/db.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { lineOf, renderTable, type StationView } from '../provisioner/service/monitor.ts';
import { createStationService, snapshotOf, type StationService } from '../provisioner/service/service.ts';
import { FakeDevice, startBroker, tempDir, type TestBroker } from './service-harness.ts';

describe('deskphone monitor against a running host', () => {
  const tmp = tempDir();
  const t0 = Date.now();
  const clock = new ManualClock(t0);
  let broker: TestBroker;
  let db: Db;
  let service: StationService;
  let device: FakeDevice;

  beforeAll(async () => {
    broker = await startBroker();
    db = openDb(tmp.dir);
    service = createStationService({ mqttUrl: broker.url, db, stations: () => [{ id: 'km-01', areas: [] }, { id: 'wv-01', areas: [] }], clock, wrapUpSeconds: 300 });
    await service.start();
    device = await FakeDevice.connect(broker.url, 'wv-01', ['snap']);
    await device.publish('presence', { online: true, session: 3, birth: { firmware: '0.1.0', board: 'linux' } });
  });

  afterAll(async () => {
    await device?.close();
    await service?.stop();
    db?.close();
    await broker?.close();
    tmp.remove();
  });

  it('dumps every station from the retained snapshots with --json', async () => {
    service.ingest({ type: 'sign_in', station: 'wv-01', agent: 'Herr Demir' });
    service.ingest({ type: 'offered', station: 'wv-01', callId: 'c1', menu: 4 });
    service.ingest({ type: 'sign_in', station: 'km-01', agent: 'Frau Wolf' });
    service.ingest({ type: 'offered', station: 'km-01', callId: 'c2', menu: 2 });
    service.ingest({ type: 'answered', station: 'km-01', callId: 'c2' });
    service.ingest({ type: 'hangup', station: 'km-01', callId: 'c2', by: 'caller' });
    await device.until('snap', (m) => m.phase !== 1 && (m.call as { callId: string } | null)?.callId === 'c1', 'ringing');

    const password = join(tmp.dir, 'pw');
    writeFileSync(password, 'x\n');
    let out = '';
    const code = await cli(['monitor', '--json', '--broker', broker.url, '--user', 'svc-admin', '--password-file', password], {
      output: { out: (t) => (out += t), err: () => {}, tty: false },
      env: { DESKPHONE_HOME: tmp.dir },
      stopSignal: new Promise(() => {}),
    });
    expect(code).toBe(0);
    const dump = JSON.parse(out) as { hostOnline: boolean; stations: Record<string, unknown>[] };
    expect(dump.hostOnline).toBe(true);
    expect(dump.stations).toEqual([
      expect.objectContaining({ station: 'km-01', phase: 'wrap-up', topic: '2 billing/contract', agent: 'Frau Wolf', online: null, remainingS: expect.any(Number) }),
      expect.objectContaining({ station: 'wv-01', phase: 'ringing', topic: '4 house connections', callId: 'c1', online: true, remainingS: null }),
    ]);
  });

  it('renders remaining wrap-up with a minus and elapsed time otherwise', () => {
    const snap = (phase: number, since: number, deadline: number) =>
      snapshotOf({ id: 'x', phase, reason: 0, seq: 1, agent: 'a', areas: [], call: null, deadlineMs: deadline, wrapUpS: 300, phaseSinceMs: since }, t0);
    const views: StationView[] = [
      { station: 'km-01', snapshot: snap(5, t0 - 50_000, t0 + 250_000), online: false, receivedMs: t0 },
      { station: 'wv-01', snapshot: snap(4, t0 - 3_725_000, 0), online: true, receivedMs: t0 },
    ];
    expect(renderTable(views.map((v) => lineOf(v, t0 + 1_000)))).toBe(
      ['STATION  PHASE    TOPIC  TIME     AGENT  DEVICE', 'km-01    wrap-up         -04:09   a      OFFLINE', 'wv-01    talking         1:02:06  a      online'].join('\n'),
    );
  });
});
