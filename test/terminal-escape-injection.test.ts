// Text a desk or the PBX chose cannot steer the admin's terminal: control
// characters are stripped from birth fields when they arrive (which are also
// cut to 64 characters), refused in call events, and stripped from every cell
// of every table the CLI prints, also for rows stored before these checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage, Phase } from '../protocol/host-codec.ts';
import { upTopic } from '../protocol/topics.ts';
import { EventValidationError } from '../provisioner/service/calls.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { lineOf, renderTable } from '../provisioner/service/monitor.ts';
import { brokerWithStations, type BrokerFixture } from './helpers/broker-fixtures.ts';
import { useServiceRig } from './helpers/service-harness.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

// Clear the screen, retitle the terminal, ring the bell, move the cursor home; a C1 CSI and a bidi override.
const HOSTILE = '\x1b[2J\x1b]0;owned\x07\x1b[H\x9b31m\u202e';
const SHOWN = '[2J]0;owned[H31m';
/** Control characters other than the line breaks between rows. */
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('birth fields from a station', () => {
  let fx: BrokerFixture;
  beforeAll(async () => {
    fx = await brokerWithStations(['wv-07', 'wv-08'], { presence: true });
  });
  afterAll(() => fx?.close());

  it('are stored without control characters and at most 64 characters long', async () => {
    const device = await fx.station('wv-07');
    const changed = new Promise<void>((resolve) => {
      const stop = fx.registry.onChange((c) => c.kind === 'presence' && c.id === 'wv-07' && (stop(), resolve()));
    });
    const birth = { firmware: `1.0${HOSTILE}`, board: 'b'.repeat(10_000), session: 1, address: `10.0.0.7${HOSTILE}` };
    await device.publishAsync(upTopic('wv-07', 'presence'), Buffer.from(encodeMessage('Presence', { online: true, session: 1, birth })), { qos: 1, retain: true });
    await changed;
    const station = fx.registry.getStation('wv-07')!;
    expect({ firmware: station.firmware, address: station.address, board: station.reportedBoard.length }).toEqual({ firmware: `1.0${SHOWN}`, address: `10.0.0.7${SHOWN}`, board: 64 });
  });

  it('never reach the terminal raw through station list and show, even when stored raw', async () => {
    // As a registry written before the ingest check would hold them.
    fx.registry.setPresence('wv-08', { online: true, session: 1, lastSeen: Date.now(), firmware: `2.0${HOSTILE}`, address: `10.0.0.8${HOSTILE}`, board: HOSTILE });
    const run = cliIn(fx.dir);
    for (const argv of [['station', 'list'], ['station', 'show', 'wv-08']]) {
      const { code, out } = await run(...argv);
      expect(code).toBe(0);
      expect(out).toContain(`2.0${SHOWN}`);
      expect(out, argv.join(' ')).not.toMatch(RAW);
    }
  });
});

describe('PBX text', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 9));
  const rig = useServiceRig({ stations: [{ id: 'wv-01', areas: [] }], service: { clock } });

  it('with control characters is refused at ingest, naming the field', () => {
    expect(() => rig.service.ingest({ type: 'sign_in', station: 'wv-01', agent: `Frau${HOSTILE} Wolf` })).toThrow(EventValidationError);
    expect(() => rig.service.ingest({ type: 'sign_in', station: 'wv-01', agent: 'Frau Wolf' })).not.toThrow();
    expect(() => rig.service.ingest({ type: 'offered', station: 'wv-01', callId: `c1${HOSTILE}`, menu: 1 })).toThrow(/callId: must not contain control characters/);
  });

  it('stored before that check is printed without them by monitor, tickets list and audit list', async () => {
    const snapshot = { station: 'wv-01', phase: Phase.TALKING, wrapUpDeadlineMs: 0, hostTimeMs: clock.now(), reason: 0, seq: 1, areas: [], wrapUpS: 0, phaseSinceMs: clock.now(), agent: `Frau${HOSTILE}`, call: null };
    const table = renderTable([lineOf({ station: 'wv-01', snapshot, online: true }, clock.now())]);
    expect(table).toContain(`Frau${SHOWN}`);
    expect(table).not.toMatch(RAW);

    rig.db.prepare("INSERT INTO svc_action (station, key, kind, ref, call_id, account, created_ms, stored_ms) VALUES ('wv-01', ?, 'TICKET', 'T-2026-000001', ?, '', 0, ?)").run(`k${HOSTILE}`, `c${HOSTILE}`, clock.now());
    rig.db.prepare("INSERT INTO svc_audit (time_ms, station, account, outcome, source, call_id, corr, detail) VALUES (?, 'wv-01', ?, 'FOUND', 'KEYPAD', ?, ?, ?)").run(clock.now(), `4${HOSTILE}`, `c${HOSTILE}`, `r${HOSTILE}`, HOSTILE);
    const run = cliIn(rig.tmp.dir);
    for (const what of ['tickets', 'audit']) {
      const { code, out } = await run(what, 'list');
      expect(code).toBe(0);
      expect(out).toContain(`c${SHOWN}`);
      expect(out, what).not.toMatch(RAW);
    }
  });
});
