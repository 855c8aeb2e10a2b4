import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../provisioner/cli.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { lineOf, renderTable, type StationView } from '../provisioner/service/monitor.ts';
import { snapshotOf } from '../provisioner/service/service.ts';
import { useServiceRig } from './service-harness.ts';

describe('deskphone monitor against a running host', () => {
  const t0 = Date.now();
  const clock = new ManualClock(t0);
  const rig = useServiceRig({
    stations: [{ id: 'km-01', areas: [] }, { id: 'wv-01', areas: [] }],
    service: { clock, wrapUpSeconds: 300 },
    device: { station: 'wv-01', kinds: ['snap'] },
  });

  beforeAll(async () => {
    await rig.device.publish('presence', { online: true, session: 3, birth: { firmware: '0.1.0', board: 'linux' } });
  });

  it('dumps every station from the retained snapshots with --json', async () => {
    rig.service.ingest({ type: 'sign_in', station: 'wv-01', agent: 'Herr Demir' });
    rig.service.ingest({ type: 'offered', station: 'wv-01', callId: 'c1', menu: 4 });
    rig.service.ingest({ type: 'sign_in', station: 'km-01', agent: 'Frau Wolf' });
    rig.service.ingest({ type: 'offered', station: 'km-01', callId: 'c2', menu: 2 });
    rig.service.ingest({ type: 'answered', station: 'km-01', callId: 'c2' });
    rig.service.ingest({ type: 'hangup', station: 'km-01', callId: 'c2', by: 'caller' });
    await rig.device.until('snap', (m) => m.phase !== 1 && (m.call as { callId: string } | null)?.callId === 'c1', 'ringing');

    const password = join(rig.tmp.dir, 'pw');
    writeFileSync(password, 'x\n');
    let out = '';
    const code = await cli(['monitor', '--json', '--broker', rig.broker.url, '--user', 'svc-admin', '--password-file', password], {
      output: { out: (t) => (out += t), err: () => {}, tty: false },
      env: { DESKPHONE_HOME: rig.tmp.dir },
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
