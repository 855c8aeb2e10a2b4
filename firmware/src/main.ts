// The shell: the only part that touches Storage, timers, pins and the network.
// Everything that happens (MQTT message, key, tick, test input) becomes one
// event for post(), which runs the pure core, sends what it queued, redraws.
import type { BoardProfile } from '../../hardware/board.ts';
import type { DeviceConfig } from '../../protocol/device-config.ts';
import { decode, encode } from '../../protocol/device/codec.ts';
import { CommandKind, Phase } from '../../protocol/device/enums.generated.ts';
import { Action, ActionAck, Command, HostPresence, LookupRequest, LookupResult, Snapshot, SyncRequest } from '../../protocol/device/tables.generated.ts';
import { display } from './boards/display.ts';
import { beep, input } from './boards/input.ts';
import { Event, State, initState, phaseOf, step } from './core/state.ts';
import { Catalogue } from './core/text.generated.ts';
import { screenText, view } from './core/view.ts';
import { draw, Gfx } from './ui/draw.ts';
import { createLink, Limits, Link, put } from './net/link.ts';
import { Tr } from '../../hardware/slot-trailer.ts';
import { busy } from './update/wire.ts';

declare const __BOARD__: BoardProfile;
declare const __FW_VERSION__: string;
/** Length of the update side the build put at the end of the image, inside a comment (firmware/build.ts). */
declare const __AGENT_BYTES__: number;
/** The profile's pin names, space-separated (firmware/build.ts): a string, so no array of them outlives the check at boot. */
declare const __PINS__: string;
declare const global: any;
declare const process: any;
declare const E: any;
declare const NRF: any;
declare const Serial1: any;
declare function require(name: string): any;
declare function digitalWrite(pin: any, v: number): void;

const CONFIG_FILE = 'deskphone.json';
/**
 * CONFIG patches since the flash, read over the config (protocol/device-config.ts
 * CONFIG_PATCH_FILE): rewriting deskphone.json would leave trash in a Pixl.js's
 * first page, where the next compaction would move the boot files and the slot.
 */
const PATCH_FILE = 'deskphone.pat';

let S: State;
let G: Gfx;
let L: Link | null = null;
let cfg: DeviceConfig | null = null;
/** The last screen asked for attention (buzzer); the Screen itself is not kept between renders. */
let buzz = false;
/**
 * Pins reach the interpreter as the board's Pin objects (a string names only a
 * port pin such as "D16", never "LED1"): profile pin names this interpreter
 * build lacks, which stop the desk on its screen rather than half-wired.
 */
const missing: string = __PINS__ ? __PINS__.split(' ').filter((p) => global[p] === undefined).map((p) => ' ' + p).join('') : '';

/** The config if it is usable; anything else shows the not-set-up screen. */
function readConfig(): DeviceConfig | null {
  let c: any = null;
  try {
    const sto = require('Storage');
    c = sto.readJSON(CONFIG_FILE, true);
    if (c) Object.assign(c, sto.readJSON(PATCH_FILE, true) || {});
  } catch (e) {
    return null;
  }
  if (!c || typeof c.id !== 'string' || !c.id || typeof c.host !== 'string' || !c.host || !(c.port > 0) || typeof c.pass !== 'string') return null;
  if (c.lang !== 'en') c.lang = 'de';
  if (!(c.digits >= Catalogue.ACCOUNT_DIGITS_MIN && c.digits <= Catalogue.ACCOUNT_DIGITS_MAX)) c.digits = Catalogue.ACCOUNT_DIGITS;
  return c;
}

/** Runs the core on one event, hands what it queued to the link (none when not set up), redraws. The shell's own events leave `n` to it. */
function post(ev: Omit<Event, 'n'> & { n?: number }): void {
  if (!ev.n) ev.n = Date.now();
  step(S, ev as Event);
  // A call stops a transfer and the update side goes back to its slot before the call's screens take their variables: it
  // answers BUSY with the offset to resume at (a kind without a chunk: net/update.ts answers as for a chunk in a call).
  const d = global.DPU;
  if (d && inCall()) {
    global.DPU = undefined;
    d.u('call', '', phaseOf(S), say, progress);
  }
  const B = global.DPB;
  if (B && B.a && B.fn && !inCall()) born();
  while (S.out.length) {
    const o = S.out.shift() as State['out'][0];
    if (L) L.send(o.k, encode<any>(o.k === 'lookup' ? LookupRequest : o.k === 'action' ? Action : SyncRequest, o.v), o.k === 'action');
  }
  const sc = view(S, ev.n as number);
  if (__BOARD__.buzzer) buzz = sc.z;
  draw(G, sc);
  if (G.flip) G.flip();
  // The backlight (Pixl.js LED1) is on, and blinks with the attention flash.
  if (__BOARD__.led && !missing) digitalWrite(global[__BOARD__.led], sc.i ? 0 : 1);
}

function onMsg(kind: string, data: string): void {
  // One-slot boards take offers here; their recovery receives the chunks.
  if (kind === 'offer' || kind === 'chunk') {
    // In a call the update side is not evaluated (wire.ts busy): an offer hears BUSY, a chunk still in flight after the BUSY is dropped.
    if (!global.DPU && inCall()) {
      if (kind === 'offer') say(busy(data));
      return;
    }
    const a = agent();
    if (a && !a.u(kind, data, phaseOf(S), say, progress)) global.DPU = undefined;
    return;
  }
  // Downlink kind -> message table and core event type.
  const tb: any = kind === 'snap' ? Snapshot : kind === 'lookup' ? LookupResult : kind === 'ack' ? ActionAck : kind === 'cmd' ? Command : kind === 'host' ? HostPresence : null;
  if (!tb) return;
  const v: any = decode(tb, data);
  if (typeof v === 'string') {
    if (L) L.fault();
    post({ t: 'bad' });
    return;
  }
  if (kind === 'host') return post({ t: 'host', v: v.online });
  if (kind === 'cmd' && v.kind === CommandKind.REBOOT) return E.reboot();
  const p = v.config;
  if (kind === 'cmd' && v.kind === CommandKind.CONFIG && cfg && p) {
    // A CONFIG patch is stored so it survives a reboot; the core applies it at once.
    if (p.version) cfg.v = p.version;
    if (p.lang === 'de' || p.lang === 'en') cfg.lang = p.lang;
    if (p.accountDigits >= Catalogue.ACCOUNT_DIGITS_MIN && p.accountDigits <= Catalogue.ACCOUNT_DIGITS_MAX) cfg.digits = p.accountDigits;
    // A full Storage keeps the patch in RAM only (and the old patch): it still
    // applies until the next reboot, and the next birth counts the failed write.
    if (!put(require('Storage'), PATCH_FILE, { v: cfg.v, lang: cfg.lang, digits: cfg.digits })) (L as Link).fault();
  }
  post({ t: kind === 'lookup' ? 'res' : kind, v: v });
}

/** Ringing, talking or wrapping up. */
function inCall(): boolean {
  const p = phaseOf(S);
  return p >= Phase.RINGING && p <= Phase.WRAP_UP;
}

/** The update's progress in percent on the screen (-1: none). */
function progress(pct: number): void {
  post({ t: 'upd', v: pct });
}

/** Sends an UpdateStatus. */
function say(b: string): void {
  if (L) L.send('update', b, false);
}

/**
 * The update side (update/agent.ts), evaluated from the end of this image in
 * its slot when first needed: until then it costs no variables. Booted
 * without the selector (the one-file layout of an earlier release's flash),
 * the image is the file the stub names, and an offer gets the advice to flash
 * the desk once (net/update.ts); none when nothing names the image.
 */
function agent(): Agent | undefined {
  if (!global.DPU) {
    const sto = require('Storage');
    const B = global.DPB;
    const n = B ? B.n : (/read\("(dp-[^"]+)"/.exec(sto.read('.bootcde') || '') || [])[1];
    if (n) global.eval(sto.read(n, (B ? 4 + B.L : sto.read(n).length) - 2 - __AGENT_BYTES__, __AGENT_BYTES__));
  }
  return global.DPU;
}

interface Agent {
  u(kind: string, data: string, phase: number, say: (b: string) => void, show: (pct: number) => void): boolean;
  h(say: (b: string) => void): void;
}

/**
 * The broker has this connection's birth: a new image proves itself healthy,
 * in a call too (the boot selector fails an image that is not healthy within
 * its seconds, and reboots), without the update side; a rollback gets told
 * with it, never in a call (it takes more variables than a call leaves):
 * post() comes back here once the call is over.
 */
function born(): void {
  const B = global.DPB;
  if (!B) return;
  B.a = 1;
  if (!B.ok) {
    require('Storage').write(B.n, '\0\0\0\0', B.T + Tr.OK);
    B.ok = true;
  }
  if (!B.fn || inCall()) return;
  (agent() as Agent).h(say);
  global.DPU = undefined;
}

function onLink(stepName: string, detail: string): void {
  post({ t: 'link', k: stepName, d: detail });
}

function birth(): object {
  const m = process.memory(false);
  return { firmware: __FW_VERSION__, freeVars: m.free, totalVars: m.total, uptimeS: Math.floor(Date.now() / 1000 - bootS), haveSeq: S.seq };
}

function tick(): void {
  post({ t: 'tick' });
  if (__BOARD__.buzzer && buzz) beep();
}

function press(key: string): void {
  post({ t: 'key', k: key });
}

// Consoles anyone in reach could use (to read deskphone.json with the station
// secret, or to replace the firmware) are closed at every boot: each reset
// opens them again. The way in for a technician is the wired serial console,
// which flashing uses too (firmware/README.md, "Consoles").
if (__BOARD__.espruinoBoard === 'PIXLJS') NRF.setServices(undefined, { uart: false });
if (__BOARD__.espruinoBoard === 'ESP32') {
  require('TelnetServer').setOptions({ mode: 'off' });
  E.setConsole(Serial1, { force: true });
}
const bootS = Date.now() / 1000;
cfg = readConfig();
S = initState({
  cfg: cfg,
  fw: __FW_VERSION__,
  kp: __BOARD__.input.kind !== 'buttons',
  ses: Math.floor(Math.random() * 2176782336).toString(36),
});
G = display();
post({ t: 'tick' });
// `__PINS__ &&`: the build does not fold the '' of a board without pins through the variable.
if (__PINS__ && missing) post({ t: 'link', k: 'Pin fehlt/missing', d: missing });
else input(press);
if (cfg && !(__PINS__ && missing)) {
  // Only the parts of the profile the link reads: the bundle then holds no copy of the whole profile.
  L = createLink(cfg, { name: __BOARD__.name, network: __BOARD__.network, budget: { variables: __BOARD__.budget.variables } }, { msg: onMsg, state: onLink, birth: birth, born: born });
  // The boot number is unique and increasing across reboots: a better key prefix than chance.
  S.ses = 's' + L.stats().session / Limits.SESSIONS;
}
setInterval(tick, 1000);

/** Debug object for technicians and tests (REPL and simulator). */
global.DP = {
  // Rendered afresh: the same state and clock give the lines on the display.
  screen: () => screenText(view(S, Date.now())),
  press: press,
  state: () => S,
  mem: process.memory,
  post: post,
};
