// `deskphone monitor` against a running host: the retained snapshots it finds
// were published a while ago, so their times run on from the host's clock,
// not from the moment the monitor read them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../provisioner/cli.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { lineOf, renderTable, type StationView } from '../provisioner/service/monitor.ts';
import { snapshotOf } from '../provisioner/service/service.ts';
import { useServiceRig } from './helpers/service-harness.ts';

/** How long ago (by the host's clock) the calls below happened. */
const AGO_MS = 40_000;

describe('deskphone monitor against a running host', () => {
  const t0 = Date.now();
  const clock = new ManualClock(t0 - AGO_MS);
  const rig = useServiceRig({
    stations: [{ id: 'km-01', areas: [] }, { id: 'wv-01', areas: [] }],
    service: { clock, wrapUpSeconds: 300 },
    device: { station: 'wv-01', kinds: ['snap'] },
  });

  beforeAll(async () => {
    await rig.device.publish('presence', { online: true, session: 3, birth: { firmware: '0.1.0', board: 'linux' } });
    rig.service.ingest({ type: 'sign_in', station: 'wv-01', agent: 'Herr Demir' });
    rig.service.ingest({ type: 'offered', station: 'wv-01', callId: 'c1', menu: 4 });
    rig.service.ingest({ type: 'sign_in', station: 'km-01', agent: 'Frau Wolf' });
    rig.service.ingest({ type: 'offered', station: 'km-01', callId: 'c2', menu: 2 });
    rig.service.ingest({ type: 'answered', station: 'km-01', callId: 'c2' });
    rig.service.ingest({ type: 'hangup', station: 'km-01', callId: 'c2', by: 'caller' });
    await rig.device.until('snap', (m) => m.phase !== 1 && (m.call as { callId: string } | null)?.callId === 'c1', 'ringing');
  });

  /** Runs `monitor` with the given terminal-ness until `done` holds for its output (or at once with --json). */
  async function monitor(extra: string[], tty: boolean, done: (out: string) => boolean = () => true): Promise<string> {
    const password = join(rig.tmp.dir, 'pw');
    writeFileSync(password, 'x\n');
    let out = '';
    let stop = () => {};
    const stopSignal = new Promise<void>((resolve) => (stop = resolve));
    const code = await cli(['monitor', ...extra, '--broker', rig.broker.url, '--user', 'svc-admin', '--password-file', password], {
      output: {
        out: (t) => {
          out += t + '\n';
          if (done(out)) stop();
        },
        err: () => {},
        tty,
      },
      env: { DESKPHONE_HOME: rig.tmp.dir },
      stopSignal,
    });
    expect(code).toBe(0);
    return out;
  }

  it('dumps every station with --json, its times run on from when the phase began', async () => {
    const dump = JSON.parse(await monitor(['--json'], false)) as { hostOnline: boolean; stations: { elapsedS: number; remainingS: number | null }[] };
    expect(dump.hostOnline).toBe(true);
    expect(dump.stations).toEqual([
      expect.objectContaining({ station: 'km-01', phase: 'wrap-up', topic: '2 Billing/Contract', agent: 'Frau Wolf', online: null }),
      expect.objectContaining({ station: 'wv-01', phase: 'ringing', topic: '4 House connections', callId: 'c1', online: true, remainingS: null }),
    ]);
    // The wrap-up began 40 s ago: 260 s of 300 left, not the whole wrap-up.
    const [km, wv] = dump.stations;
    expect(km.elapsedS).toBeGreaterThanOrEqual(40);
    expect(km.elapsedS).toBeLessThan(50);
    expect(km.remainingS).toBeGreaterThan(250);
    expect(km.remainingS).toBeLessThanOrEqual(260);
    expect(wv.elapsedS).toBeGreaterThanOrEqual(40);
  });

  it('counts the live table from the host clock, not from the monitor start', async () => {
    const out = await monitor([], true, (text) => text.includes('wv-01'));
    const row = /km-01\s+wrap-up\s+.*?-(\d\d):(\d\d)/.exec(out);
    expect(row, out).not.toBeNull();
    const left = Number(row![1]) * 60 + Number(row![2]);
    expect(left).toBeGreaterThan(250);
    expect(left).toBeLessThanOrEqual(260);
  });

  it('writes each station once into a pipe, then one line per change', async () => {
    let answered = false;
    const out = await monitor([], false, (text) => {
      // Once the first list is through, a change: its line comes after everything retained.
      if (text.includes('wv-01 ringing') && !answered) {
        answered = true;
        rig.service.ingest({ type: 'answered', station: 'wv-01', callId: 'c1' });
      }
      return text.includes('wv-01 talking');
    });
    const lines = out.trim().split('\n').map((l) => l.replace(/^\S+ /, ''));
    expect(lines.slice(0, 2).sort()).toEqual(['km-01 wrap-up 2 Billing/Contract', 'wv-01 ringing 4 House connections']);
    expect(lines.slice(2)).toEqual(['wv-01 talking 4 House connections']);
  });

  it('renders remaining wrap-up with a minus and elapsed time otherwise', () => {
    const snap = (phase: number, since: number, deadline: number) =>
      snapshotOf({ id: 'x', phase, reason: 0, seq: 1, agent: 'a', areas: [], call: null, deadlineMs: deadline, wrapUpS: 300, phaseSinceMs: since }, t0);
    const views: StationView[] = [
      { station: 'km-01', snapshot: snap(5, t0 - 50_000, t0 + 250_000), online: false },
      { station: 'wv-01', snapshot: snap(4, t0 - 3_725_000, 0), online: true },
    ];
    expect(renderTable(views.map((v) => lineOf(v, t0 + 1_000)))).toBe(
      ['STATION  PHASE    TOPIC  TIME     AGENT  DEVICE', 'km-01    wrap-up         -04:09   a      OFFLINE', 'wv-01    talking         1:02:06  a      online'].join('\n'),
    );
  });
});
