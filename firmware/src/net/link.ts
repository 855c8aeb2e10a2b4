// The station's link to the host: network bring-up, one MQTT 3.1.1 session
// over an injectable socket, reconnect with backoff, birth and last will,
// QoS 1 both ways and an outbox that survives reconnects (and, for the
// agent's actions, reboots). Payloads are bytes; decoding them is the app's
// business. Written in the interpreter's subset (hardware/docs/board-facts.md):
// module-level functions over one state object, short hot property names.
import type { DeviceConfig } from '../../../protocol/device-config.ts';
import { encode } from '../../../protocol/device/codec.ts';
import { Presence, SyncRequest } from '../../../protocol/device/tables.generated.ts';
import { DOWN, HOST_PRESENCE, downFilter, downTopic, upTopic, type UpKind } from '../../../protocol/topics.ts';
import { netUp, type Net } from './netup.ts';
import { bstr, connect, DISCONNECT, feed, lstr, parser, PINGREQ, puback, publish, readId, readPublish, subscribe, T, type Parser } from './packets.ts';

declare const global: any;
/** Defined by the firmware build only (netup.ts): a bundle drops what only the host's tests of the link read. */
declare const __NET__: string;

// Settings as const enums: the bundle inlines them, where module-level
// constants would each hold an interpreter variable.
export const enum Files {
  /** The boot counter: sessions of boot n are n * SESSIONS + 1, + 2, ... (written once per boot). */
  SESSION = 'deskphone.ses',
  /** Unacknowledged actions (encoded Action payloads: keys, no customer names or addresses). */
  OUTBOX = 'deskphone.out',
}

export const enum Limits {
  /** Keepalive in seconds (§3.1.2.10). */
  KEEPALIVE_S = 30,
  /** Reconnect delay: first try after BASE/2..BASE ms, doubling up to CAP. */
  BACKOFF_BASE_MS = 1000,
  BACKOFF_CAP_MS = 30000,
  /** Messages waiting for PUBACK at most; a desk produces a few per call. */
  OUTBOX_MAX = 16,
  /** Packet ids of recently delivered messages kept to recognise redeliveries. */
  SEEN_MAX = 8,
  /**
   * Sessions (one per connection attempt) per stored boot number. The session
   * must grow with every connection, so a last will arriving after the next
   * birth is recognised as stale; Storage is written only when a boot starts
   * and after this many attempts (about 34 hours of an outage at the 30 s cap),
   * not on every attempt, which compacted a Pixl.js's few free pages daily.
   */
  SESSIONS = 4096,
}

/** The subset of an Espruino socket the link uses (Node tests pass an adapter). */
export interface Socket {
  on(ev: 'data' | 'close' | 'error', fn: (x?: any) => void): void;
  write(data: string): void;
  end(): void;
}

/** The subset of Espruino's Storage module the firmware writes through (put). */
export interface Storage {
  readJSON(name: string, noExceptions: boolean): any;
  write(name: string, data: string): any;
  erase(name: string): void;
  getFree(): number;
  compact(): void;
}

export interface LinkHandlers {
  /** A message for the station: kind 'snap'|'lookup'|'ack'|'cmd'|'host', payload as 8-bit string. */
  msg(kind: string, data: string): void;
  /**
   * Where the connection stands: step 'link'|'address'|'broker'|'refused'|'auth'|'online'.
   * An empty detail means the step is in progress; otherwise it says why the
   * step failed and the link retries after a backoff. 'online' carries the address.
   */
  state(step: string, detail: string): void;
  /** Birth fields from the app (freeVars, totalVars, uptimeS, firmware, resetCause) and haveSeq for the SyncRequest. */
  birth(): { [k: string]: any };
  /** The broker acknowledged this connection's birth: the firmware booted, read its config and reached the host. */
  born?(): void;
}

/** Test and platform hooks; every field optional. */
export interface LinkIo {
  connect?: (opts: { host: string; port: number }, onOpen: () => void) => Socket;
  storage?: Storage;
  /** Module loader (default: the interpreter's require). */
  mod?: (name: string) => any;
  /** Backoff base in ms and keepalive in s, shortened by tests. */
  base?: number;
  ka?: number;
}

export interface Link {
  send(kind: 'lookup' | 'action' | 'sync' | 'update', bytes: Uint8Array | string, persist: boolean): void;
  /** Counts an error the birth reports: a malformed payload, a Storage write of the app's that failed. */
  fault(): void;
  stop(): void;
  /** In a firmware bundle only `session` (what main.ts reads). */
  stats(): LinkStats;
}

export interface LinkStats {
  /** 'down' | 'dial' | 'connect' | 'online' */
  state: string;
  session: number;
  /** Malformed packets and payloads since boot (reported in the birth). */
  errors: number;
  /** Messages waiting for PUBACK. */
  queued: number;
  /** Messages delivered to the app, redeliveries ignored, retransmissions sent, successful connects, outbox overflows. */
  delivered: number;
  duplicates: number;
  resent: number;
  connects: number;
  dropped: number;
  address: string;
  rssi: number;
}

/** One message waiting for its PUBACK: uplink kind, payload, persisted?, packet id (0 = not sent yet), last send time. */
interface Entry {
  k: string;
  d: string;
  p: boolean;
  i: number;
  t: number;
}

interface State {
  c: DeviceConfig;
  h: LinkHandlers;
  bd: string;
  cn: (opts: { host: string; port: number }, onOpen: () => void) => Socket;
  sto: Storage;
  n: Net;
  ka: number;
  base: number;
  max: number;
  /** Socket of the current attempt, null between attempts. */
  s: Socket | null;
  /** 0 down, 1 TCP dialling, 2 waiting for CONNACK, 3 online. */
  st: number;
  ps: Parser;
  pk: (f: number, body: string, whole: boolean) => boolean;
  q: Entry[];
  /** Recently delivered inbound packet ids. */
  w: number[];
  pid: number;
  ses: number;
  err: number;
  bo: number;
  tk: any;
  rt: any;
  /** PINGREQ sent, PINGRESP outstanding. */
  pg: number;
  /** Stopped for good. */
  x: boolean;
  /** Topic prefix of the station's downlink, length-prefixed uplink topics by kind. */
  pre: string;
  up: { [k: string]: string };
  /** Counters for stats(): messages delivered to the app, duplicates dropped, publishes resent, connects, connections dropped. */
  nm: number;
  nd: number;
  nr: number;
  nc: number;
  no: number;
}

/**
 * Largest packet kept whole: about 0.7 bytes per interpreter variable, so a
 * 2950-variable Pixl.js holds 2 KB (a packet and its substrings cost ~3x in
 * variables while being split) and a bigger board proportionally more.
 */
export function maxPacket(board: { budget: { variables: number } }): number {
  return Math.floor(board.budget.variables * 0.7);
}

/** Starts bringing the network up and connecting; see LinkHandlers for what comes back. */
export function createLink(cfg: DeviceConfig, board: { name: string; network: { kind: string }; budget: { variables: number } }, handlers: LinkHandlers, io?: LinkIo): Link {
  const o = io || {};
  const mod = o.mod || ((name: string) => global.require(name));
  const sto: Storage = o.storage || mod('Storage');
  const up: { [k: string]: string } = {};
  // No name for the list: every local here stays alive with the closures below.
  for (const k of 'presence lookup action sync update'.split(' ')) up[k] = lstr(upTopic(cfg.id, k as UpKind));
  const L: State = {
    c: cfg, h: handlers, bd: board.name, cn: o.connect || mod('net').connect, sto: sto, n: { k: board.network.kind, p: board.network as Net['p'], mod: mod, d: null, a: '', r: 0, u: 0, t: 0, g: 0 },
    ka: o.ka || Limits.KEEPALIVE_S, base: o.base || Limits.BACKOFF_BASE_MS, max: maxPacket(board),
    s: null, st: 0, ps: parser(0), pk: null as any, q: [], w: [], pid: 0,
    ses: 0, err: 0, bo: 0, tk: 0, rt: 0, pg: 0, x: false,
    pre: downTopic(cfg.id, 'snap').slice(0, -4), up: up, nm: 0, nd: 0, nr: 0, nc: 0, no: 0,
  };
  L.ps = parser(L.max);
  L.bo = L.base;
  L.pk = packet.bind(null, L);
  // A network that goes away (WiFi's disconnect event) ends the connection now, not at the next keepalive.
  L.n.x = (d) => lost(L, L.s, 'link', d);
  newBoot(L, (sto.readJSON(Files.SESSION, true) || 0) + 1);
  const kept = sto.readJSON(Files.OUTBOX, true);
  if (Array.isArray(kept)) {
    for (let i = 0; i < kept.length; i++) {
      const r = kept[i];
      if (Array.isArray(r) && L.up[r[0]] && typeof r[1] === 'string') L.q.push({ k: r[0], d: atob(r[1]), p: true, i: 0, t: 0 });
    }
  }
  bringUp(L);
  return {
    send: (kind, bytes, persist) => send(L, kind, typeof bytes === 'string' ? bytes : bstr(bytes), persist),
    fault: () => { L.err++; },
    stop: () => stop(L),
    // The firmware reads only the session (main.ts); the rest is for the host's tests of the link.
    stats: () => typeof __NET__ === 'string' ? ({ session: L.ses } as LinkStats) : {
      state: 'down dial connect online'.split(' ')[L.st], session: L.ses, errors: L.err, queued: L.q.length, delivered: L.nm,
      duplicates: L.nd, resent: L.nr, connects: L.nc, dropped: L.no, address: L.n.a, rssi: L.n.r,
    },
  };
}

function bringUp(L: State): void {
  L.rt = 0;
  if (L.x) return;
  netUp(L.n, L.c, L.h, (step, detail) => {
    if (step) {
      L.h.state(step, detail);
      retry(L);
    }
    // Dialled from a timer of its own, never inside the boot code: a connect
    // that throws at once (refused, no such host) carries the whole stack of
    // what called it, and at boot that cost the last variables on a 2950-variable
    // interpreter, so the boot stopped before DP existed (measured on 2v29 Linux).
    else {
      L.h.state('broker', '');
      L.rt = setTimeout(dial, 0, L);
    }
  });
}

function dial(L: State): void {
  L.rt = 0;
  if (L.x) return;
  L.ses++;
  if (L.ses % Limits.SESSIONS === 0) newBoot(L, L.ses / Limits.SESSIONS);
  L.st = 1;
  L.pg = 0;
  let s: Socket;
  try {
    s = L.cn({ host: L.c.host, port: L.c.port }, opened.bind(null, L));
  } catch (e) {
    // Some ports throw at once (e.g. a host name that does not resolve) instead of emitting 'error'.
    L.st = 0;
    L.h.state('broker', errText(e));
    return retry(L);
  }
  L.s = s;
  s.on('data', rx.bind(null, L, s));
  s.on('close', lost.bind(null, L, s, 'broker', 'closed'));
  s.on('error', failed.bind(null, L, s));
  // One timer per connection: CONNACK timeout, keepalive and retransmission.
  L.tk = setInterval(tick, Math.round(L.ka * 667), L);
}

function opened(L: State): void {
  if (!L.s || L.st !== 1) return;
  L.st = 2;
  L.s.write(connect({
    id: L.c.id, user: L.c.id, pass: L.c.pass, ka: L.ka, wt: L.up.presence,
    wm: bstr(encode(Presence, { online: false, session: L.ses })),
  }));
}

function failed(L: State, s: Socket, e: any): void {
  lost(L, s, 'broker', errText(e));
}

/** Short text for the connecting screen: Node's error code (ECONNREFUSED), else the interpreter's message. */
function errText(e: any): string {
  return String((e && (typeof e.code === 'string' ? e.code : e.message)) || e || 'error');
}

function rx(L: State, s: Socket, data: string): void {
  if (L.s !== s) return;
  if (!feed(L.ps, data, L.pk)) {
    L.err++;
    lost(L, s, 'broker', 'bad stream');
  }
}

/** One whole packet (or the head of an oversized one); true stops the parser because the connection was dropped. */
function packet(L: State, f: number, b: string, whole: boolean): boolean {
  const t = f >> 4;
  if (t === T.PUBLISH) inbound(L, f, b, whole);
  else if (!whole) L.err++;
  else if (t === T.CONNACK) connack(L, b);
  else if (t === T.PUBACK) {
    const id = readId(b);
    for (let i = 0; i < L.q.length; i++) {
      if (L.q[i].i === id) {
        const e = L.q.splice(i, 1)[0];
        if (e.p) save(L);
        if (e.k === 'presence' && L.h.born) L.h.born();
        break;
      }
    }
  }
  else if (t === T.SUBACK) {
    // 0x80 = a filter refused (§3.9.3), e.g. by the broker's ACL.
    if (b.length < 3 || b.indexOf('\x80', 2) >= 0) L.err++;
  } else if (t === T.PINGRESP) L.pg = 0;
  else {
    // A broker never sends the other types to a client: the stream is not MQTT any more.
    L.err++;
    lost(L, L.s, 'broker', 'bad packet');
  }
  return !L.s;
}

function connack(L: State, b: string): void {
  if (L.st !== 2 || b.length !== 2) {
    L.err++;
    return lost(L, L.s, 'broker', 'bad CONNACK');
  }
  const rc = b.charCodeAt(1);
  // §3.2.2.3: 4 bad user name or password, 5 not authorized (what mosquitto
  // answers a wrong password with); 1-3 protocol, client id, server unavailable.
  if (rc) return lost(L, L.s, rc === 4 || rc === 5 ? 'auth' : 'refused', 'rc ' + rc);
  online(L, (b.charCodeAt(0) & 1) === 1);
}

function online(L: State, sessionPresent: boolean): void {
  L.st = 3;
  L.bo = L.base;
  L.nc++;
  // Without a stored session the broker numbers its packets afresh.
  if (!sessionPresent) L.w = [];
  const x = L.h.birth() || {};
  const b = Object.assign({}, x, { board: L.bd, configVersion: L.c.v, session: L.ses, address: L.n.a, errors: L.err, rssi: L.n.r });
  // A birth or resync still waiting from the last connection is stale now.
  L.q = L.q.filter((e) => e.k !== 'presence' && e.k !== 'sync');
  // Birth first so the host knows the desk; the resync last so the snapshot it
  // triggers already reflects the actions sent in between.
  L.q.unshift({ k: 'presence', d: bstr(encode(Presence, { online: true, session: L.ses, birth: b as any })), p: false, i: 0, t: 0 });
  L.q.push({ k: 'sync', d: bstr(encode(SyncRequest, { haveSeq: x.haveSeq || 0 })), p: false, i: 0, t: 0 });
  let out = subscribe(nextId(L), [downFilter(L.c.id), HOST_PRESENCE]);
  for (let i = 0; i < L.q.length; i++) out += pub(L, L.q[i]);
  L.s!.write(out);
  // Last: the app may send from this callback, and must find the session ready.
  L.h.state('online', L.n.a);
}

/** PUBLISH for an outbox entry: first time with a fresh id, after that with the same id and DUP (§4.4). */
function pub(L: State, e: Entry): string {
  const dup = e.i !== 0;
  if (dup) L.nr++;
  else e.i = nextId(L);
  e.t = Date.now();
  return publish(L.up[e.k], e.d, e.i, dup, e.k === 'presence');
}

function nextId(L: State): number {
  for (;;) {
    L.pid = (L.pid % 65535) + 1;
    let used = false;
    for (let i = 0; i < L.q.length; i++) if (L.q[i].i === L.pid) used = true;
    if (!used) return L.pid;
  }
}

function inbound(L: State, f: number, b: string, whole: boolean): void {
  const m = readPublish(f, b);
  if (!m) {
    L.err++;
    return;
  }
  if (!whole) L.err++;
  else if (m.q && m.dup && L.w.indexOf(m.i) >= 0) L.nd++;
  else {
    // Only the station's own downlink kinds and the host presence reach the app.
    const k = m.t === HOST_PRESENCE ? 'host' : m.t.indexOf(L.pre) === 0 && typeof (DOWN as any)[m.t.substr(L.pre.length)] === 'string' ? m.t.substr(L.pre.length) : '';
    if (k) {
      L.nm++;
      try {
        L.h.msg(k, m.d);
      } catch (e) {
        L.err++;
      }
    }
    if (m.q) {
      L.w.push(m.i);
      if (L.w.length > Limits.SEEN_MAX) L.w.shift();
    }
  }
  // Acknowledged even when dropped: otherwise the broker redelivers it forever.
  if (m.q && L.s) L.s.write(puback(m.i));
}

function tick(L: State): void {
  if (L.st !== 3) return lost(L, L.s, 'broker', 'timeout');
  // A DHCP lease due for renewal: the 2v29 WIZnet driver renews only by a new
  // DHCP run, which resets the chip and its sockets. Leave cleanly first, so
  // the broker sends no last will; the next bring-up renews.
  if (L.n.u && Date.now() >= L.n.u) {
    L.s!.write(DISCONNECT);
    return lost(L, L.s, 'address', '');
  }
  if (L.pg) return lost(L, L.s, 'broker', 'no PINGRESP');
  L.pg = 1;
  let out = PINGREQ;
  const old = Date.now() - L.ka * 667;
  for (let i = 0; i < L.q.length; i++) if (L.q[i].i && L.q[i].t <= old) out += pub(L, L.q[i]);
  L.s!.write(out);
}

/** Ends the current attempt (once per socket), says why, and schedules the next one. */
function lost(L: State, s: Socket | null, step: string, detail: string): void {
  if (!s || L.s !== s) return;
  L.s = null;
  L.st = 0;
  clearInterval(L.tk);
  L.ps = parser(L.max);
  try {
    s.end();
  } catch (e) {}
  if (L.x) return;
  L.h.state(step, detail);
  retry(L);
}

function retry(L: State): void {
  if (L.x || L.rt) return;
  const d = L.bo;
  L.bo = Math.min(L.bo * 2, Limits.BACKOFF_CAP_MS);
  // Equal jitter: desks that lost the broker together come back spread out.
  L.rt = setTimeout(bringUp, d / 2 + (Math.random() * d) / 2, L);
}

function send(L: State, k: string, d: string, persist: boolean): void {
  if (L.q.length >= Limits.OUTBOX_MAX) {
    // Shed what is cheapest to lose: a lookup or resync before an action.
    let j = 0;
    for (let i = L.q.length - 1; i >= 0; i--) if (!L.q[i].p) j = i;
    L.q.splice(j, 1);
    L.no++;
    L.err++;
  }
  const e: Entry = { k: k, d: d, p: persist, i: 0, t: 0 };
  L.q.push(e);
  if (persist) save(L);
  if (L.st === 3) L.s!.write(pub(L, e));
}

/** Takes boot number b: stored at once, and the sessions that follow count from it. */
function newBoot(L: State, b: number): void {
  L.ses = b * Limits.SESSIONS;
  if (!put(L.sto, Files.SESSION, b)) L.err++;
}

/**
 * Stores `v` as JSON (null erases the file); false when it was not stored: it
 * then still lives in RAM, and the caller counts the failure for the birth.
 * A write never throws out (a full Storage throws "Unable to find or create
 * file", src/jsflash.c jsfWriteFile) and never costs the old copy: jsfWriteFile
 * erases that before _jsfCreateFile looks for room, which compacts only when
 * the trash alone would make enough, so a same-size rewrite on a full Storage
 * lost the file. The new copy (a 32-byte header, the data padded to 4 bytes)
 * must fit after the last file first, where _jsfCreateFile puts it
 * (Storage.getFree(): jsfGetStorageStats' free), after compacting if short.
 */
export function put(sto: Storage, name: string, v: any): boolean {
  try {
    if (v === null) sto.erase(name);
    else {
      const s = JSON.stringify(v);
      const need = s.length + 35;
      if (sto.getFree() < need) sto.compact();
      if (sto.getFree() < need) return false;
      sto.write(name, s);
    }
    return true;
  } catch (e) {
    return false;
  }
}

function save(L: State): void {
  const a: string[][] = [];
  for (let i = 0; i < L.q.length; i++) if (L.q[i].p) a.push([L.q[i].k, btoa(L.q[i].d)]);
  if (!put(L.sto, Files.OUTBOX, a.length ? a : null)) L.err++;
}

function stop(L: State): void {
  L.x = true;
  clearTimeout(L.rt);
  const s = L.s;
  if (s && L.st === 3) s.write(publish(L.up.presence, bstr(encode(Presence, { online: false, session: L.ses })), nextId(L), false, true) + DISCONNECT);
  lost(L, s, '', '');
}
