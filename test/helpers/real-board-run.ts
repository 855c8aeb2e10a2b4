// A board's own bundle on the real 2950-variable Espruino interpreter with its
// stand-in (board-stand-in.ts), booted from Storage as after `deskphone flash`:
// to its first screen without a config, or online against a real broker and
// through a full call cycle over MQTT (ring, talk, twelve digits and a lookup,
// wrap-up, ticket acknowledged, ready, available). The interpreter test
// (firmware-boards-real-interpreter) checks these runs and `npm run bench --
// firmware-size` prints their variable counts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../firmware/build.ts';
import type { BoardProfile } from '../../hardware/board.ts';
import { decodeMessage, encodeMessage } from '../../protocol/host-codec.ts';
import { downTopic, parseStationTopic } from '../../protocol/topics.ts';
import type { BrokerFixture } from './broker-fixtures.ts';
import { boardStandIn } from './board-stand-in.ts';
import { bootFromFlash, consoleLines } from './flash-runner.ts';

/** The account the agent keys in during the cycle. */
export const CYCLE_ACCOUNT = '400012345678';
/** What the 2v29 interpreter prints when something goes wrong. */
const TROUBLE = /Uncaught|ERROR|Invalid pin|New interpreter error|OUT OF MEMORY|Compacting/;

export const stationOf = (board: BoardProfile): string => 'desk-' + board.name;

/** The built bundle (firmware/dist, `npm run build` or the test's global setup). */
export const bundleOf = (board: BoardProfile): Buffer => readFileSync(join(REPO_ROOT, 'firmware', 'dist', board.name + '.js'));

/** The JSON printed after `tag ` on the console. */
export function printed(out: string, tag: string): any {
  const line = consoleLines(out).find((l) => l.startsWith(tag + ' '));
  if (!line) throw new Error(`the interpreter never printed ${tag}; its console ended with:\n${consoleLines(out).slice(-25).join('\n')}`);
  return JSON.parse(line.slice(tag.length + 1));
}

/** Console lines that report an error. */
export function trouble(out: string): string[] {
  return consoleLines(out).filter((l) => TROUBLE.test(l));
}

export interface FirstScreen {
  screen: string[];
  vars: number;
  /** Frames the display took (Pixl.js: flips, SSD1306: whole frames, ST7789: RAMWRs). */
  frames: number;
  /** E.CRC32 of the Graphics buffer (0 without a display). */
  pixels: number;
  /** Pixl.js: whether the Bluetooth UART is still open. */
  uart?: boolean;
  /** ESP32: where the console went. */
  console?: string;
}

/** Boots with no config and reads the first screen 2.5 s later (the T-Display's reset waits come first, on a qemu-slowed clock). */
export async function firstScreen(interpreter: string, board: BoardProfile, busLog?: string): Promise<{ out: string; first: FirstScreen }> {
  const out = await bootFromFlash({
    interpreter,
    bundle: bundleOf(board),
    prelude: boardStandIn(board, { busLog }) || undefined,
    after: [{ atMs: 2500, code: 'var si = typeof SI === "undefined" ? {} : SI; print("FIRST " + JSON.stringify({ screen: DP.screen(), vars: process.memory().usage, frames: si.f, pixels: si.g ? E.CRC32(si.g.buffer) >>> 0 : 0, uart: si.uart, console: si.console }))' }],
    timeoutMs: 60_000,
  });
  return { out, first: printed(out, 'FIRST') };
}

// The host's side of a call, driven by what the desk sends: a ringing call at
// its birth, talking right after; a lookup answered (then wrap-up); the ticket
// acknowledged with a reference; "ready" acknowledged (then available).
function host(fx: BrokerFixture, ID: string): { log: string[]; stop(): void } {
  const log: string[] = [];
  let seq = 0;
  const publish = (kind: 'snap' | 'lookup' | 'ack', type: string, value: object) =>
    fx.broker.aedes.publish({ cmd: 'publish', topic: downTopic(ID, kind), payload: Buffer.from(encodeMessage(type, value)), qos: 1, retain: false, dup: false } as any, () => {});
  const call = { callId: 'call-1', menu: 2, area: 1, ivrAccount: '', offeredMs: Date.now(), answeredMs: 0, endedMs: 0 };
  const snapshot = (phase: number, extra: object = {}) => {
    const now = Date.now();
    publish('snap', 'Snapshot', { station: ID, phase, call: phase >= 3 && phase <= 5 ? call : null, hostTimeMs: now, seq: ++seq, areas: [1, 2], wrapUpS: 300, phaseSinceMs: now, agent: 'Anna', ...extra });
    log.push('snap ' + phase);
  };
  const onPublish = (packet: any) => {
    const t = parseStationTopic(packet.topic);
    if (!t || t.station !== ID || t.dir !== 'up' || !packet.payload?.length) return;
    const payload = new Uint8Array(packet.payload);
    if (t.kind === 'presence' && (decodeMessage('Presence', payload) as { online: boolean }).online && seq === 0) {
      // A moment for the desk's own report of being online; the call after that.
      setTimeout(() => snapshot(3), 1000);
      setTimeout(() => snapshot(4), 1300);
    } else if (t.kind === 'lookup') {
      const req = decodeMessage('LookupRequest', payload) as { corr: string; account: string };
      log.push('lookup ' + req.account);
      publish('lookup', 'LookupResult', { corr: req.corr, status: 1, account: req.account, name: 'Erika Müller', street: 'Seestraße 4', place: '13353 Berlin', openItems: 1, openCents: 990 });
      setTimeout(() => snapshot(5, { wrapUpDeadlineMs: Date.now() + 300_000 }), 300);
    } else if (t.kind === 'action') {
      const a = decodeMessage('Action', payload) as { key: string; kind: number };
      log.push('action ' + a.kind);
      publish('ack', 'ActionAck', { key: a.key, status: 1, ref: a.kind === 1 ? 'T-2026-000001' : '', kind: a.kind });
      if (a.kind === 4) setTimeout(() => snapshot(2), 300);
    }
  };
  fx.broker.aedes.on('publish', onPublish);
  return { log, stop: () => fx.broker.aedes.off('publish', onPublish) };
}

// Runs inside the interpreter: waits for each phase the host sets, does the agent's part, prints, quits.
const AGENT = `var A = 0, Aw = 0, Av = 0;
setInterval(function () {
  var s = DP.state(), p = s.sn ? s.sn.phase : 0;
  if (A === 0 && s.up) { print("BOOT " + JSON.stringify({ vars: process.memory().usage, screen: DP.screen() })); A = 1; }
  else if (A === 1 && p === 4) { "${CYCLE_ACCOUNT}".split("").forEach(function (d) { DP.press(d); }); DP.press("ok"); A = 2; }
  else if (A === 2 && p === 5) { DP.press("ticket"); A = 3; }
  else if (A === 3 && s.act.length && s.act[0].st === 1) { Av = DP.screen(); DP.press("ready"); A = 4; }
  else if (A === 4 && p === 2 && ++Aw > 3) { print("CYCLE " + JSON.stringify({ vars: process.memory().usage, wrapUp: Av, screen: DP.screen(), state: [s.act.length, s.out.length, s.acc, s.lk] })); quit(); }
}, 250);`;

const ballast = (bytes: number) =>
  `var B0 = process.memory().usage, BALLAST = new Uint8Array(${bytes}); print("BALLAST " + (process.memory().usage - B0));` +
  'setInterval(function () { var f = E.getErrorFlags(); if (f.length) { print("FLAGS " + f); quit(); } }, 300);';

export interface CallCycle {
  out: string;
  /** Online after boot. */
  boot: { vars: number; screen: string[] };
  /** Available again after the call; `state` is [actions, outbox, digits, lookup] left behind. */
  cycle: { vars: number; wrapUp: string[]; screen: string[]; state: unknown[] };
  /** What the host saw and did, in order. */
  hostLog: string[];
}

/**
 * Boots with a config for station `stationOf(board)` of `fx` (registered there) and runs a call; one board at a time per broker.
 * `ballastBytes`: a Uint8Array of that size held from right after boot (its cost in variables printed as BALLAST),
 * to find how much room the cycle's peak leaves; the run then quits at the first error flag (LOW_MEMORY) instead of waiting.
 */
export async function callCycle(interpreter: string, board: BoardProfile, fx: BrokerFixture, ballastBytes = 0): Promise<CallCycle> {
  const ID = stationOf(board);
  const side = host(fx, ID);
  try {
    const config = { v: 1, id: ID, board: board.name, host: '127.0.0.1', port: fx.broker.tcpPort, pass: fx.secrets[ID], lang: 'de', digits: 12, net: { ssid: 'hotline', psk: 'wlan-pass' } };
    const out = await bootFromFlash({
      interpreter,
      bundle: bundleOf(board),
      files: { 'deskphone.json': JSON.stringify(config) },
      prelude: boardStandIn(board) || undefined,
      after: [...(ballastBytes ? [{ atMs: 5, code: ballast(ballastBytes) }] : []), { atMs: 10, code: AGENT }],
      untilMs: 80_000,
      timeoutMs: 90_000,
    });
    return { out, boot: printed(out, 'BOOT'), cycle: printed(out, 'CYCLE'), hostLog: side.log };
  } finally {
    side.stop();
  }
}
