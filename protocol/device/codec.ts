// The desk module's protobuf codec: one generic encoder/decoder driven by the
// tables that protocol/gen-device-tables.ts generates from deskphone.proto.
// It runs on the Espruino interpreter, so it keeps to the subset that
// hardware/espruino-gate.ts enforces: no Map/Set, no destructuring or spread, no `**`,
// no compiler helpers. Values that may exceed 2^31 (uint64 millisecond times)
// go through arithmetic, because bitwise operators cut them to 32 bits.
//
// A table lists a message's fields in field-number order, two slots per
// field: [name, kind, name, kind, ...], so field n sits at index 2n-2. A kind
// is a number (see Kind) or, for a message field, that message's table; the
// codec tells them apart by `.length`, which numbers lack (shorter than typeof).
// Unused field numbers have the name 0 and are skipped like unknown fields.
//
// Decoding never throws: bad bytes give one of the DecodeError strings. The
// host codec (protocol/host-codec.ts) classifies bad bytes the same way.

import { Kind } from './kinds.ts';
import { DEPTH } from './tables.generated.ts';

// Espruino's utility object; absent in Node.
declare const E: { toUint8Array(s: string): Uint8Array } | undefined;

/** A message's field table; T is the decoded value's type (compile time only). */
export interface Table<T = unknown> extends ReadonlyArray<string | number | Table> {
  readonly __value?: T;
}

/**
 * truncated: the bytes end inside a tag, value or group;
 * varint: a varint longer than 10 bytes (a tag longer than 5);
 * wiretype: a known field with the wrong wire type, wire type 6/7, field 0 or a stray end-group;
 * length: a length prefix that runs past the end of the enclosing bytes;
 * depth: messages or groups nested deeper than any message in the schema.
 */
export type DecodeError = 'truncated' | 'varint' | 'wiretype' | 'length' | 'depth';

const TWO32 = 4294967296;
// Thrown inside, returned by decode; named once to keep the bundle small.
const TRUNCATED: DecodeError = 'truncated';
const VARINT: DecodeError = 'varint';
const WIRETYPE: DecodeError = 'wiretype';

// Decoder state, module-level so that no closure is created per call.
let buf: Uint8Array;
let pos = 0;
/** Low and high 32 bits of the last varint, as non-negative numbers. */
let lo = 0;
let hi = 0;
/** Wire type and field number of the last tag. */
let wire = 0;
let field = 0;

/**
 * Decodes one message. Returns the value with every field present (defaults
 * filled, absent messages null, like protobufjs toObject with defaults) or a
 * DecodeError string. Accepts socket data (8-bit strings) or a Uint8Array.
 */
export function decode<T>(table: Table<T>, bytes: string | Uint8Array): T | DecodeError {
  if (typeof bytes !== 'string') buf = bytes;
  // The interpreter's native conversion: it made a Snapshot decode 3x faster there.
  else if (typeof E !== 'undefined') buf = E.toUint8Array(bytes);
  else {
    buf = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) buf[i] = bytes.charCodeAt(i);
  }
  pos = 0;
  try {
    return readMessage(table, buf.length, 1, null) as T;
  } catch (e) {
    // Only the decoder's own error strings are expected here; anything else
    // is a bug that the random-input test must see.
    if (typeof e === 'string') return e as DecodeError;
    throw e;
  }
}

// Reads a varint of at most `max` bytes into lo/hi. Bytes 0-4 add up in lo
// (35 bits), bytes 5-9 in hi from bit 35 on (scale 8 = 2^35 / 2^32); the
// carry from lo's top 3 bits moves over at the end.
function readVarint(end: number, max: number): void {
  lo = 0;
  hi = 0;
  let scale = 1;
  for (let i = 0; ; i++) {
    if (i === max) throw VARINT;
    if (pos >= end) throw TRUNCATED;
    const b = buf[pos++];
    if (i < 5) lo += (b & 127) * scale;
    else hi += (b & 127) * scale;
    if (b < 128) break;
    scale = i === 4 ? 8 : scale * 128;
  }
  hi = (hi + Math.floor(lo / TWO32)) % TWO32;
  lo %= TWO32;
}

function readTag(end: number): void {
  readVarint(end, 5);
  if (hi) throw VARINT;
  wire = lo % 8;
  field = (lo - wire) / 8;
  if (!field || wire > 5) throw WIRETYPE;
}

// Reads a length prefix and returns where the delimited bytes end.
function readLength(end: number): number {
  readVarint(end, 5);
  if (hi || pos + lo > end) throw 'length';
  return pos + lo;
}

function readScalar(kind: number, end: number): unknown {
  readVarint(end, 10);
  if (kind === Kind.Uint64) return lo + hi * TWO32;
  // lo < 2^32, so ToInt32 is the two's complement; measured the same on the interpreter.
  if (kind === Kind.Int32) return lo | 0;
  if (kind === Kind.Sint32) return lo % 2 ? -(lo + 1) / 2 : lo / 2;
  if (kind === Kind.Bool) return !!lo;
  return lo;
}

// UTF-8 up to U+FFFF. Bad sequences give odd characters, not an error: the
// device shows Latin-1 anyway, and the host rejects such text before sending.
function readString(end: number): string {
  let s = '';
  while (pos < end) {
    let c = buf[pos++];
    if (c > 223 && pos + 1 < end) {
      c = ((c & 15) << 12) | ((buf[pos] & 63) << 6) | (buf[pos + 1] & 63);
      pos += 2;
    } else if (c > 191 && pos < end) c = ((c & 31) << 6) | (buf[pos++] & 63);
    s += String.fromCharCode(c);
  }
  return s;
}

// Skips an unknown field. Groups (wire type 3, proto2) are walked, and count
// as one nesting level, so crafted input cannot recurse without bound.
function skipField(wireType: number, fieldNumber: number, end: number, depth: number): void {
  if (wireType === 0) readVarint(end, 10);
  else if (wireType === 2) pos = readLength(end);
  else if (wireType === 3) {
    if (depth >= DEPTH) throw 'depth';
    for (;;) {
      if (pos >= end) throw TRUNCATED;
      readTag(end);
      if (wire === 4) {
        if (field !== fieldNumber) throw WIRETYPE;
        return;
      }
      skipField(wire, field, end, depth + 1);
    }
  } else if (wireType === 4) throw WIRETYPE;
  else {
    pos += wireType === 1 ? 8 : 4;
    if (pos > end) throw TRUNCATED;
  }
}

// Message fields never nest deeper than DEPTH: the generator computed DEPTH
// from these tables. Only groups (skipField) can, so only they are checked.
function readMessage(table: Table, end: number, depth: number, into: Record<string, unknown> | null): object {
  let value = into;
  if (!value) {
    value = {};
    for (let i = 0; i < table.length; i += 2) {
      const kind = table[i + 1];
      if (!table[i]) continue;
      value[table[i] as string] =
        (kind as Table).length ? null : (kind as number) & Kind.Repeated ? [] : kind === Kind.String ? '' : kind === Kind.Bool ? false : 0;
    }
  }
  while (pos < end) {
    readTag(end);
    const name = table[field * 2 - 2] as string;
    const kind = table[field * 2 - 1];
    if (!name) {
      skipField(wire, field, end, depth);
      continue;
    }
    const isMessage = (kind as Table).length;
    if (wire === 2 && (isMessage || kind === Kind.String || (kind as number) & Kind.Repeated)) {
      const stop = readLength(end);
      if (isMessage) value[name] = readMessage(kind as Table, stop, depth + 1, value[name] as Record<string, unknown> | null);
      else if (kind === Kind.String) value[name] = readString(stop);
      else while (pos < stop) (value[name] as unknown[]).push(readScalar((kind as number) - Kind.Repeated, stop));
    } else if (wire === 0 && !isMessage && kind !== Kind.String) {
      if ((kind as number) & Kind.Repeated) (value[name] as unknown[]).push(readScalar((kind as number) - Kind.Repeated, end));
      else value[name] = readScalar(kind as number, end);
    } else throw WIRETYPE;
  }
  return value;
}

/**
 * Encodes a value into the bytes protobufjs writes for it (fields in number
 * order, defaults left out, repeated scalars packed). The value is trusted:
 * the device only encodes what it built itself.
 */
export function encode<T>(table: Table<T>, value: Partial<T>): Uint8Array {
  return new Uint8Array(writeMessage(table, value as Record<string, unknown>));
}

// Writes a non-negative varint. Arithmetic, not shifts, keeps uint64
// millisecond times exact. Negative int32 values (ten bytes on the wire) are
// not written: the device's int32 fields are enums, whose values are all >= 0.
function writeVarint(out: number[], v: number): void {
  while (v > 127) {
    out.push((v % 128) + 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function writeScalar(out: number[], kind: number, v: unknown): void {
  const n = v as number;
  if (kind === Kind.Bool) out.push(v ? 1 : 0);
  else writeVarint(out, kind !== Kind.Sint32 ? n : n < 0 ? -2 * n - 1 : 2 * n);
}

function writeUtf8(out: number[], s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) out.push(c);
    else if (c < 2048) out.push(192 + (c >> 6), 128 + (c & 63));
    else out.push(224 + (c >> 12), 128 + ((c >> 6) & 63), 128 + (c & 63));
  }
}

function writeMessage(table: Table, value: Record<string, unknown>): number[] {
  const out: number[] = [];
  for (let i = 0; i < table.length; i += 2) {
    const v = value[table[i] as string];
    const kind = table[i + 1];
    // Field number i/2+1, shifted past the 3 wire-type bits.
    const tag = i * 4 + 8;
    let body: number[];
    // Every default (0, false, '', null) is falsy and every other value
    // truthy; unused field numbers (name 0) read value[0], undefined.
    if (!v) continue;
    if ((kind as Table).length) body = writeMessage(kind as Table, v as Record<string, unknown>);
    else if (kind === Kind.String) writeUtf8((body = []), v as string);
    else if ((kind as number) & Kind.Repeated) {
      const list = v as unknown[];
      if (!list.length) continue;
      body = [];
      for (let j = 0; j < list.length; j++) writeScalar(body, (kind as number) - Kind.Repeated, list[j]);
    } else {
      writeVarint(out, tag);
      writeScalar(out, kind as number, v);
      continue;
    }
    writeVarint(out, tag + 2);
    writeVarint(out, body.length);
    out.push.apply(out, body);
  }
  return out;
}
