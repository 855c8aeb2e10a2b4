// The desk module's whole behaviour as data: `step(state, event)` applies one
// event and queues outgoing requests in `state.out`; the shell (main.ts)
// drains that queue into the link. No timers, pins, Storage or sockets here.
//
// Property names are short on purpose: on the device every property name of
// a live object costs interpreter variables, and names of 4 characters or
// fewer pack into one block (EspruinoDocs info/Performance.md).

import { IVR_CORR } from '../../../protocol/correlation.ts';
import { AccountSource, AckStatus, CommandKind, LookupStatus, Phase } from '../../../protocol/device/enums.generated.ts';
import type { ActionAck, Command, LookupResult, Snapshot } from '../../../protocol/device/tables.generated.ts';
import { Actions, Catalogue } from './text.generated.ts';

/** How long IDENTIFY flashes the screen. */
export const IDENTIFY_MS = 5000;

/** How long a lookup may take before the screen says "no answer". */
export const LOOKUP_TIMEOUT_MS = 5000;

/** A snapshot at most this old (host clock) arrived live, so the host's result for the call's IVR number is still to come. */
const FRESH_MS = 2000;

/** A lookup in flight or answered: corr id, account, sent-at (local ms), 0 waiting / 1 answered / 2 timed out, result. */
export interface Lookup {
  c: string;
  a: string;
  t: number;
  st: number;
  r: LookupResult | null;
}

/** An action the agent took this call: idempotency key, kind, 0 sent / 1 acknowledged / 2 rejected, host reference. */
export interface Act {
  k: string;
  kd: number;
  st: number;
  ref: string;
}

/** A request for the link: kind and the message object for the device codec. */
export interface Out {
  k: 'lookup' | 'action' | 'sync';
  v: object;
}

export interface State {
  /** Config usable; false shows the not-set-up screen. */
  ok: boolean;
  id: string;
  lang: string;
  dig: number;
  fw: string;
  /** Input has a digit keypad (else 4 buttons: up/down/next/ok). */
  kp: boolean;
  /** Boot session id, prefix of correlation ids and idempotency keys. */
  ses: string;
  /** Counter behind the session for the next correlation id or idempotency key. */
  cnt: number;
  /** Link connected, and the connecting step with its detail while not. */
  up: boolean;
  ls: string;
  ld: string;
  /** Host presence. */
  ho: boolean;
  /** Identify (flash and beep) until this local time. */
  idf: number;
  sn: Snapshot | null;
  seq: number;
  /** Host time of the latest snapshot taken (with seq, tells a stale one from a restarted host's). */
  hst: number;
  /** Host clock minus local clock, from the latest snapshot. */
  off: number;
  /** Call id the customer data below belongs to ('' = none). */
  cid: string;
  /** Account digits so far (keyed, or the IVR's), and the digit the 4-button boards edit. */
  acc: string;
  cur: number;
  lk: Lookup | null;
  act: Act[];
  out: Out[];
  /** Firmware update received so far, percent; -1 when none runs. */
  upd: number;
}

/** What the shell knows at boot; `cfg` is null when Storage had no usable config. */
export interface Boot {
  cfg: { id: string; lang: string; digits: number } | null;
  fw: string;
  kp: boolean;
  ses: string;
}

export interface Event {
  /** Type: snap, res, ack, cmd, host, link, key, tick, bad, upd (update progress). */
  t: string;
  /** Local clock (ms) when the event happened. */
  n: number;
  v?: any;
  /** Key name, or link step. */
  k?: string;
  /** Link step detail. */
  d?: string;
}

export function initState(b: Boot): State {
  const c = b.cfg;
  return {
    ok: !!c,
    id: c ? c.id : '',
    lang: c ? c.lang : 'de',
    dig: c ? c.digits : Catalogue.ACCOUNT_DIGITS,
    fw: b.fw,
    kp: b.kp,
    ses: b.ses,
    cnt: 0,
    up: false,
    ls: '',
    ld: '',
    ho: true,
    idf: 0,
    sn: null,
    seq: 0,
    hst: 0,
    off: 0,
    cid: '',
    acc: '',
    cur: 0,
    lk: null,
    act: [],
    out: [],
    upd: -1,
  };
}

export function phaseOf(s: State): number {
  return s.sn ? s.sn.phase : 0;
}

/** Host time now, from the local clock and the latest snapshot's offset. */
export function hostNow(s: State, now: number): number {
  return now + s.off;
}

function newId(s: State): string {
  s.cnt++;
  return s.ses + '-' + s.cnt;
}

function requestLookup(s: State, src: number, now: number): void {
  const corr = newId(s);
  s.lk = { c: corr, a: s.acc, t: now, st: 0, r: null };
  s.out.push({ k: 'lookup', v: { corr: corr, account: s.acc, source: src, callId: s.cid } });
}

/** Asks the host for the current snapshot, saying which one the desk has. */
function askSync(s: State): void {
  s.out.push({ k: 'sync', v: { haveSeq: s.seq } });
}

function onSnap(s: State, v: Snapshot, now: number): void {
  // QoS 1 may deliver a snapshot twice; an older one after a newer one is stale.
  // A restarted host counts seq from 1 again, which its newer clock gives away.
  if (s.sn && v.seq <= s.seq && v.hostTimeMs <= s.hst) return;
  if (s.seq > 0 && v.seq > s.seq + 1) askSync(s);
  // Published just now by the host's clock as the last snapshot set it, not retained or queued from before.
  const fresh = s.sn && now + s.off - v.hostTimeMs < FRESH_MS;
  s.seq = v.seq;
  s.hst = v.hostTimeMs;
  s.off = v.hostTimeMs - now;
  s.sn = v;
  const inCall = v.phase === Phase.RINGING || v.phase === Phase.TALKING || v.phase === Phase.WRAP_UP;
  const c = inCall ? v.call : null;
  const callId = c ? c.callId : '';
  if (callId === s.cid) return;
  // Another call (or none): everything about the customer goes.
  const l = s.lk;
  s.cid = callId;
  s.acc = '';
  s.cur = 0;
  s.lk = null;
  s.act = [];
  if (c && c.ivrAccount) {
    s.acc = c.ivrAccount;
    s.cur = s.acc.length;
    // The host looks the IVR's number up as it offers the call and sends the result under this id, perhaps ahead of
    // this snapshot (see 'res'). A desk that was away when the call was offered (booted, offline) missed it and asks.
    const corr = IVR_CORR + callId;
    if (l && l.c === corr) s.lk = l;
    else if (fresh && v.phase === Phase.RINGING) s.lk = { c: corr, a: s.acc, t: now, st: 0, r: null };
    else requestLookup(s, AccountSource.IVR, now);
  }
}

function act(s: State, kind: number, now: number): void {
  // One action of each kind per call: a second press would only repeat it.
  for (let i = 0; i < s.act.length; i++) if (s.act[i].kd === kind && s.act[i].st !== 2) return;
  const key = newId(s);
  const l = s.lk;
  // The host takes an account only whole (its configured length): a number half keyed in goes as none.
  const account = l && l.r && l.r.status === LookupStatus.FOUND ? l.r.account : s.acc.length === s.dig ? s.acc : '';
  s.act.push({ k: key, kd: kind, st: 0, ref: '' });
  s.out.push({ k: 'action', v: { key: key, kind: kind, callId: s.cid, account: account, createdMs: hostNow(s, now) } });
}

/** Account entry during a call: keypad digits, or up/down/next on the 4-button boards. */
function entry(s: State, key: string, now: number): void {
  const a = s.acc;
  const cur = s.cur;
  if (key === 'ok') {
    if (a.length === s.dig) requestLookup(s, AccountSource.KEYPAD, now);
    return;
  }
  if (key >= '0' && key <= '9' && key.length === 1) {
    if (a.length >= s.dig) return;
    s.acc = a + key;
    s.cur = s.acc.length < s.dig ? s.acc.length : s.dig - 1;
  } else if (key === 'back') {
    s.acc = a.substring(0, a.length - 1);
    s.cur = s.acc.length;
  } else if (key === 'up' || key === 'down') {
    const old = cur < a.length ? a.charCodeAt(cur) - 48 : -1;
    s.acc = a.substring(0, cur) + (key === 'up' ? (old + 1) % 10 : old < 1 ? 9 : old - 1) + a.substring(cur + 1);
  } else if (key === 'next') {
    s.cur = cur < a.length && cur < s.dig - 1 ? cur + 1 : 0;
    return;
  } else return;
  // The shown result belongs to the number as it was; an edit invalidates it.
  s.lk = null;
}

function onKey(s: State, key: string, now: number): void {
  const p = phaseOf(s);
  if (p === Phase.WRAP_UP) {
    // Keypad digit, named key or button: ' key:kind' in the catalogue's string.
    const keys = Actions.BY_KEY as string;
    const at = keys.indexOf(' ' + key + ':');
    if (at >= 0) act(s, +keys.charAt(at + key.length + 2), now);
  } else if (p === Phase.TALKING) entry(s, key, now);
}

export function step(s: State, e: Event): State {
  const t = e.t;
  if (t === 'snap') onSnap(s, e.v, e.n);
  else if (t === 'res') {
    const l = s.lk;
    const r: LookupResult = e.v;
    if (l && r.corr === l.c) {
      l.r = r;
      l.st = 1;
    } else if (!s.cid && r.corr.indexOf(IVR_CORR) === 0) {
      // The broker forwards this QoS 0 result at once but a QoS 1 snapshot only once stored, so the host's result for an
      // IVR number can overtake the snapshot bringing the call: between calls it waits here, taken only by its own call.
      s.lk = { c: r.corr, a: r.account, t: e.n, st: 1, r: r };
    }
  } else if (t === 'ack') {
    const k: ActionAck = e.v;
    for (let i = 0; i < s.act.length; i++) {
      if (s.act[i].k === k.key) {
        s.act[i].st = k.status === AckStatus.REJECTED ? 2 : 1;
        s.act[i].ref = k.ref;
      }
    }
  } else if (t === 'key') onKey(s, e.k as string, e.n);
  else if (t === 'cmd') {
    // Host commands the core handles: RESYNC, IDENTIFY and the CONFIG patch (the shell stores it; REBOOT is the shell's).
    const c: Command = e.v;
    const p = c.config;
    if (c.kind === CommandKind.RESYNC) askSync(s);
    else if (c.kind === CommandKind.IDENTIFY) s.idf = e.n + IDENTIFY_MS;
    else if (c.kind === CommandKind.CONFIG && p) {
      if (p.lang === 'de' || p.lang === 'en') s.lang = p.lang;
      if (p.accountDigits >= Catalogue.ACCOUNT_DIGITS_MIN && p.accountDigits <= Catalogue.ACCOUNT_DIGITS_MAX) s.dig = p.accountDigits;
    }
  } else if (t === 'host') s.ho = !!e.v;
  else if (t === 'link') {
    s.up = e.k === 'online';
    s.ls = e.k as string;
    s.ld = e.d || '';
  } else if (t === 'bad') askSync(s);
  else if (t === 'upd') s.upd = e.v;
  else if (t === 'tick') {
    const l = s.lk;
    if (l && l.st === 0 && e.n - l.t >= LOOKUP_TIMEOUT_MS) l.st = 2;
  }
  return s;
}
