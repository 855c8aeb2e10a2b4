// MQTT 3.1.1 packets as 8-bit strings (one char per byte, codes 0-255):
// Espruino sockets take and deliver exactly that, so the firmware converts
// bytes once, here, and never counts text in characters.
// Spec: https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html
// Written in the interpreter's subset (hardware/docs/board-facts.md).

declare const E: { toString(b: Uint8Array): string } | undefined;
/** Defined by the firmware build only (as in netup.ts): in a bundle the test folds and the Node fallback below is dropped. */
declare const __NET__: string;

/** Bytes of a Uint8Array as an 8-bit string, for the socket. */
export function bstr(b: Uint8Array): string {
  if (typeof __NET__ === 'string' || typeof E !== 'undefined') return (E as { toString(b: Uint8Array): string }).toString(b);
  let o = '';
  for (let i = 0; i < b.length; i++) o += String.fromCharCode(b[i]);
  return o;
}

/** UTF-8 encoding of a JS string, as an 8-bit string (§1.5.3: strings are UTF-8). */
export function utf8(s: string): string {
  let o = '';
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
    // n continuation bytes of 6 bits each, the lead byte 0xc0, 0xe0 or 0xf0 with the bits above them.
    const n = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
    o += String.fromCharCode(n ? (256 - (128 >> n)) | (c >> (6 * n)) : c);
    for (let k = n - 1; k >= 0; k--) o += String.fromCharCode(0x80 | ((c >> (6 * k)) & 63));
  }
  return o;
}

/** Two-byte big-endian integer (§1.5.2). */
export function u16(n: number): string {
  return String.fromCharCode((n >> 8) & 255, n & 255);
}

/** Length-prefixed UTF-8 string (§1.5.3). */
export function lstr(s: string): string {
  const b = utf8(s);
  return u16(b.length) + b;
}

/** Remaining length: 7 bits per byte, high bit = more follows, at most four bytes (§2.2.3). */
export function remLen(n: number): string {
  let o = '';
  do {
    let d = n & 127;
    n = n >> 7;
    if (n) d |= 128;
    o += String.fromCharCode(d);
  } while (n);
  return o;
}

function frame(first: number, body: string): string {
  return String.fromCharCode(first) + remLen(body.length) + body;
}

export interface ConnectOpts {
  /** Client id, user name, password. */
  id: string;
  user: string;
  pass: string;
  /** Keepalive in seconds. */
  ka: number;
  /** Will topic (already length-prefixed, see lstr) and will payload bytes. */
  wt: string;
  wm: string;
}

/**
 * CONNECT (§3.1). Flags 0xEC: user name, password, will retain, will QoS 1,
 * will; clean session off so the broker keeps subscriptions and queued QoS 1
 * messages across reconnects (§3.1.2.4).
 */
export function connect(o: ConnectOpts): string {
  return frame(0x10, lstr('MQTT') + '\x04\xec' + u16(o.ka) + lstr(o.id) + o.wt + u16(o.wm.length) + o.wm + lstr(o.user) + lstr(o.pass));
}

/**
 * PUBLISH at QoS 1 (§3.3): DUP flag on a retransmission (§3.3.1.1), retain
 * flag for presence. `topic` is length-prefixed (lstr), `payload` 8-bit.
 */
export function publish(topic: string, payload: string, id: number, dup: boolean, retain: boolean): string {
  return frame(0x32 | (dup ? 8 : 0) | (retain ? 1 : 0), topic + u16(id) + payload);
}

/** PUBACK (§3.4). */
export function puback(id: number): string {
  return '\x40\x02' + u16(id);
}

/** SUBSCRIBE (§3.8): fixed header flags must be 0010 (§3.8.1); every filter at QoS 1. */
export function subscribe(id: number, filters: string[]): string {
  let b = u16(id);
  for (let i = 0; i < filters.length; i++) b += lstr(filters[i]) + '\x01';
  return frame(0x82, b);
}

/** PINGREQ (§3.12). */
export const PINGREQ = '\xc0\x00';
/** DISCONNECT (§3.14). */
export const DISCONNECT = '\xe0\x00';

/** Packet types the client receives (§2.2.1). */
export const enum T {
  CONNACK = 2,
  PUBLISH = 3,
  PUBACK = 4,
  SUBACK = 9,
  PINGRESP = 13,
}

/** A received PUBLISH: topic (8-bit), QoS, DUP flag, packet id (0 at QoS 0), payload (8-bit). */
export interface Pub {
  t: string;
  q: number;
  dup: boolean;
  i: number;
  d: string;
}

/**
 * Splits a PUBLISH body (§3.3.2); null when it is malformed (QoS 3, topic
 * longer than the packet). For a packet cut short because it was too large
 * (see Parser) the payload is incomplete but topic and id are still right.
 */
export function readPublish(first: number, body: string): Pub | null {
  const q = (first >> 1) & 3;
  if (q === 3 || body.length < 2) return null;
  const tl = (body.charCodeAt(0) << 8) | body.charCodeAt(1);
  let o = 2 + tl;
  if (o + (q ? 2 : 0) > body.length) return null;
  const i = q ? (body.charCodeAt(o) << 8) | body.charCodeAt(o + 1) : 0;
  if (q) o += 2;
  return { t: body.substr(2, tl), q: q, dup: (first & 8) !== 0, i: i, d: body.substr(o) };
}

/** Packet id at the start of a PUBACK or SUBACK body; -1 if too short. */
export function readId(body: string): number {
  return body.length < 2 ? -1 : (body.charCodeAt(0) << 8) | body.charCodeAt(1);
}

/**
 * Incremental packet splitter: TCP delivers bytes cut anywhere and glued
 * together, so leftover bytes wait in `b` for the next chunk. A packet larger
 * than `m` is not buffered (a device can't afford it): its bytes are skipped
 * as they stream past, keeping only the first HEAD bytes so a PUBLISH can
 * still be acknowledged and counted instead of redelivered forever.
 */
export interface Parser {
  /** Unparsed bytes. */
  b: string;
  /** Largest packet body kept whole. */
  m: number;
  /** Bytes of an oversized packet still to skip, its first byte and its head. */
  k: number;
  f: number;
  h: string;
}

/** Bytes kept of an oversized packet: enough for any topic a station receives plus a packet id. */
const HEAD = 128;

export function parser(max: number): Parser {
  return { b: '', m: max, k: 0, f: 0, h: '' };
}

/**
 * Feeds a chunk; calls on(first byte, body, whole) per packet, where whole is
 * false for an oversized packet whose body was cut to its head. Returns false
 * when the stream cannot be framed any more (a remaining length longer than
 * four bytes, §2.2.3): the caller must drop the connection. `on` returning
 * true stops parsing (the caller dropped the connection).
 */
export function feed(p: Parser, c: string, on: (first: number, body: string, whole: boolean) => boolean | void): boolean {
  if (p.k) {
    const n = p.k < c.length ? p.k : c.length;
    if (p.h.length < HEAD) p.h += c.substr(0, Math.min(n, HEAD - p.h.length));
    p.k -= n;
    c = c.substr(n);
    if (p.k) return true;
    const h = p.h;
    p.h = '';
    if (on(p.f, h, false)) return true;
  }
  // Nothing waiting (the usual case): the new bytes are the buffer, not a copy of them.
  let b = p.b ? p.b + c : c;
  p.b = '';
  while (b.length >= 2) {
    let n = 0;
    let m = 1;
    let i = 1;
    let d = 128;
    while (d & 128) {
      if (i > 4) return false;
      if (i >= b.length) break;
      d = b.charCodeAt(i++);
      n += (d & 127) * m;
      m *= 128;
    }
    if (d & 128) break;
    const f = b.charCodeAt(0);
    if (n > p.m) {
      if (b.length - i < n) {
        p.k = n - (b.length - i);
        p.f = f;
        p.h = b.substr(i, HEAD);
        return true;
      }
      const h = b.substr(i, HEAD);
      b = b.substr(i + n);
      if (on(f, h, false)) return true;
      continue;
    }
    if (b.length - i < n) break;
    const body = b.substr(i, n);
    // The bytes after it are kept, the buffer is let go before the packet is handled: a handler holds its own
    // copies (an update chunk, ~1 KB, costs ~100 variables per copy), and these bytes need not wait beside them.
    b = b.substr(i + n);
    if (on(f, body, true)) return true;
  }
  p.b = b;
  return true;
}
