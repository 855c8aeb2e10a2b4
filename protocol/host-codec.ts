// The host's codec: protobufjs on protocol/deskphone.proto, with plain-object
// values shaped like the device codec's (protocol/device/codec.ts): camelCase
// fields, numbers for enums and uint64, every field present.
//
// protobufjs is lenient where the device is strict (it skips a known field
// sent with the wrong wire type, allows 100 levels of groups). So bytes are
// first checked against the schema here, with the device's rules and error
// codes, and only then handed to protobufjs. Both codecs thus accept and
// reject the same bytes, and the host says where and why.

import protobuf from 'protobufjs';
import { HAND_CODED, loadSchema, nestingDepth } from './schema.ts';
import type { DecodeError } from './device/codec.ts';
import type { MessageName, Messages } from './device/tables.generated.ts';

export {
  AccountSource,
  AckStatus,
  ActionKind,
  Area,
  CommandKind,
  LookupStatus,
  Phase,
  Reason,
  UpdateState,
} from './device/tables.generated.ts';
export type { MessageName, Messages } from './device/tables.generated.ts';

/**
 * code: the device decoder's error string for bad bytes; 'utf8' for text that
 * is not UTF-8 (proto3 requires it; the device, which shows Latin-1, does not
 * check); 'value' for a value that cannot be encoded; 'type' for an unknown
 * message type.
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: DecodeError | 'utf8' | 'value' | 'type',
    message: string,
    /** Byte offset of the problem, for bad bytes. */
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const schema = loadSchema();
const messageTypes = schema.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
const maxDepth = Math.max(...messageTypes.map(nestingDepth));

/** Names of all message types in the contract, in .proto order. */
export const MESSAGE_TYPES: readonly string[] = messageTypes.map((t) => t.name);
/** Those the device codes with its generic codec (protocol/device/tables.generated.ts). */
export const TABLE_TYPES: readonly string[] = MESSAGE_TYPES.filter((t) => !HAND_CODED.includes(t));

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: true, arrays: true };
const UINT64_MAX = Number.MAX_SAFE_INTEGER;

function messageType(name: string): protobuf.Type {
  const type = messageTypes.find((t) => t.name === name);
  if (!type) throw new ProtocolError('type', `unknown message type "${name}"; known: ${MESSAGE_TYPES.join(', ')}`);
  return type;
}

export function encodeMessage<K extends MessageName>(type: K, value: Partial<Messages[K]>): Uint8Array;
export function encodeMessage(type: string, value: object): Uint8Array;
/** Encodes after checking the value: unknown fields, wrong types and out-of-range numbers are errors. */
export function encodeMessage(type: string, value: object): Uint8Array {
  const t = messageType(type);
  return t.encode(checked(t, value)).finish();
}

/**
 * Checks a value against the schema and returns it ready to encode (by either
 * codec): enum names, as JSON users write them, become numbers. Throws
 * ProtocolError naming the field.
 */
export function checkValue(type: string, value: unknown): Record<string, unknown> {
  return checked(messageType(type), value);
}

function checked(type: protobuf.Type, value: unknown): Record<string, unknown> {
  const normalized = normalize(type, value, type.name);
  const problem = type.verify(normalized);
  if (problem) throw new ProtocolError('value', `${type.name}.${problem}`);
  return normalized;
}

function normalize(type: protobuf.Type, value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('value', `${path}: expected an object with fields of ${type.name}, got ${describe(value)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const field = type.fields[key];
    if (!field) {
      const camel = protobuf.util.camelCase(key);
      const hint = type.fields[camel] ? `; did you mean "${camel}"?` : `; fields: ${type.fieldsArray.map((f) => f.name).join(', ')}`;
      throw new ProtocolError('value', `${path}: unknown field "${key}"${hint}`);
    }
    const where = `${path}.${key}`;
    if (v === null || v === undefined) continue;
    if (field.repeated) {
      if (!Array.isArray(v)) throw new ProtocolError('value', `${where}: expected an array, got ${describe(v)}`);
      out[key] = v.map((item, i) => normalizeScalar(field, item, `${where}[${i}]`));
    } else if (field.resolvedType instanceof protobuf.Type) {
      out[key] = normalize(field.resolvedType, v, where);
    } else out[key] = normalizeScalar(field, v, where);
  }
  return out;
}

const INTEGER_RANGES: Record<string, [number, number, string]> = {
  uint32: [0, 0xffffffff, '0 to 4294967295'],
  int32: [-0x80000000, 0x7fffffff, '-2147483648 to 2147483647'],
  sint32: [-0x80000000, 0x7fffffff, '-2147483648 to 2147483647'],
  // The device has only doubles: larger values would not survive the trip.
  uint64: [0, UINT64_MAX, '0 to 2^53-1'],
};

function normalizeScalar(field: protobuf.Field, v: unknown, where: string): unknown {
  const e = field.resolvedType;
  if (e instanceof protobuf.Enum) {
    if (typeof v === 'string') {
      if (!(v in e.values)) throw new ProtocolError('value', `${where}: "${v}" is not a ${e.name}; one of ${Object.keys(e.values).join(', ')}`);
      return e.values[v];
    }
    return v;
  }
  const range = INTEGER_RANGES[field.type];
  if (range && typeof v === 'number' && Number.isInteger(v) && (v < range[0] || v > range[1])) {
    throw new ProtocolError('value', `${where}: ${v} is out of range for ${field.type} (${range[2]})`);
  }
  return v;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return `${typeof v} ${JSON.stringify(v)}`;
}

export function decodeMessage<K extends MessageName>(type: K, bytes: Uint8Array): Messages[K];
export function decodeMessage(type: string, bytes: Uint8Array): Record<string, unknown>;
/** Decodes bytes into a plain object with all fields present; throws ProtocolError on bad bytes. */
export function decodeMessage(type: string, bytes: Uint8Array): Record<string, unknown> {
  const t = messageType(type);
  // A Buffer view makes protobufjs use Node's UTF-8 decoder (U+FFFD for bad text).
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  new WireCheck(t.name, buffer).message(t, buffer.length, 1);
  return inFieldOrder(t, t.toObject(t.decode(buffer), TO_OBJECT));
}

// toObject lists repeated fields first; field order makes the host's JSON
// read like the .proto and match the device codec's output key for key.
function inFieldOrder(type: protobuf.Type, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const v = value[field.name];
    out[field.name] = field.resolvedType instanceof protobuf.Type && v ? inFieldOrder(field.resolvedType, v as Record<string, unknown>) : v;
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'start-group', 'end-group', '32-bit'];

/** Walks bytes against the schema with the device decoder's rules (see codec.ts DecodeError). */
class WireCheck {
  private pos = 0;
  private lo = 0;
  private hi = 0;

  constructor(
    private readonly root: string,
    private readonly bytes: Uint8Array,
  ) {}

  private fail(code: DecodeError | 'utf8', at: number, why: string): never {
    throw new ProtocolError(code, `cannot decode ${this.root}: ${why} at byte ${at} (${code})`, at);
  }

  private varint(end: number, maxBytes: number, what: string): void {
    const start = this.pos;
    let value = 0n;
    for (let i = 0; ; i++) {
      if (i === maxBytes) this.fail('varint', start, `${what} is longer than ${maxBytes} bytes`);
      if (this.pos >= end) this.fail('truncated', start, `${what} is cut off`);
      const b = this.bytes[this.pos++]!;
      value |= BigInt(b & 127) << BigInt(7 * i);
      if (b < 128) break;
    }
    this.lo = Number(value & 0xffffffffn);
    this.hi = Number((value >> 32n) & 0xffffffffn);
  }

  /** Reads a tag; returns [field number, wire type]. */
  private tag(end: number, where: string): [number, number] {
    const at = this.pos;
    this.varint(end, 5, `the tag in ${where}`);
    if (this.hi) this.fail('varint', at, `the tag in ${where} exceeds 32 bits`);
    const wire = this.lo & 7;
    const field = this.lo >>> 3;
    if (!field) this.fail('wiretype', at, `${where} has a field number 0`);
    if (wire > 5) this.fail('wiretype', at, `${where} field ${field} has wire type ${wire}, which does not exist`);
    return [field, wire];
  }

  /** Reads a length prefix; returns where the delimited bytes end. */
  private length(end: number, what: string): number {
    const at = this.pos;
    this.varint(end, 5, `the length of ${what}`);
    if (this.hi || this.pos + this.lo > end) {
      this.fail('length', at, `${what} claims ${this.lo + this.hi * 2 ** 32} bytes but only ${end - this.pos} remain`);
    }
    return this.pos + this.lo;
  }

  message(type: protobuf.Type, end: number, depth: number): void {
    if (depth > maxDepth) this.fail('depth', this.pos, `${type.name} is nested ${depth} deep; the schema has at most ${maxDepth}`);
    while (this.pos < end) {
      const at = this.pos;
      const [number, wire] = this.tag(end, type.name);
      const field = type.fieldsById[number];
      if (!field) {
        this.skip(wire, number, end, depth, `unknown field ${number} of ${type.name}`);
        continue;
      }
      const name = `${type.name}.${field.name} (field ${number})`;
      const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
      const delimited = sub !== null || field.type === 'string' || field.type === 'bytes';
      const delimitedOk = delimited || field.repeated;
      const varintOk = !delimited;
      if (wire === 2 && delimitedOk) {
        const stop = this.length(end, name);
        if (sub) this.message(sub, stop, depth + 1);
        else if (field.type === 'string') this.text(stop, name);
        else if (field.type === 'bytes') this.pos = stop;
        else while (this.pos < stop) this.varint(stop, 10, `a value of ${name}`);
      } else if (wire === 0 && varintOk) {
        this.varint(end, 10, `the value of ${name}`);
      } else {
        this.fail('wiretype', at, `${name} arrived as ${WIRE_NAMES[wire]}, expected ${varintOk ? 'varint' : 'length-delimited'}`);
      }
    }
  }

  private text(stop: number, name: string): void {
    try {
      strictUtf8.decode(this.bytes.subarray(this.pos, stop));
    } catch {
      this.fail('utf8', this.pos, `${name} is not valid UTF-8 text`);
    }
    this.pos = stop;
  }

  private skip(wire: number, number: number, end: number, depth: number, what: string): void {
    const at = this.pos;
    if (wire === 0) this.varint(end, 10, what);
    else if (wire === 2) this.pos = this.length(end, what);
    else if (wire === 3) {
      if (depth >= maxDepth) this.fail('depth', at, `the group ${what} nests deeper than the schema's ${maxDepth} levels`);
      for (;;) {
        if (this.pos >= end) this.fail('truncated', at, `the group ${what} has no end`);
        const [inner, innerWire] = this.tag(end, `the group ${what}`);
        if (innerWire === 4) {
          if (inner !== number) this.fail('wiretype', at, `the group ${what} ends with field ${inner}`);
          return;
        }
        this.skip(innerWire, inner, end, depth + 1, `field ${inner} in the group ${what}`);
      }
    } else if (wire === 4) this.fail('wiretype', at, `an end-group for field ${number} comes without its start`);
    else {
      this.pos += wire === 1 ? 8 : 4;
      if (this.pos > end) this.fail('truncated', at, `the ${WIRE_NAMES[wire]} value of ${what} is cut off`);
    }
  }
}
