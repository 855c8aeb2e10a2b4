// Golden vectors through both codecs: the same bytes out of the same value and
// the same value out of the same bytes, for every message type.
import { describe, expect, it } from 'vitest';
import { decode, encode, type Table } from '../protocol/device/codec.ts';
import * as tables from '../protocol/device/tables.generated.ts';
import { decodeMessage, encodeMessage, TABLE_TYPES } from '../protocol/host-codec.ts';
import { goldenVectors } from '../protocol/vectors/vectors.ts';

const vectors = goldenVectors();
const table = (type: string) => (tables as unknown as Record<string, Table<Record<string, unknown>>>)[type]!;
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('golden vectors', () => {
  // The hand-coded update messages carry bytes, which a JSON value cannot: their device code is checked against protobufjs with the update path.
  it('cover every message type the device codec codes', () => {
    expect(new Set(vectors.map((v) => v.type))).toEqual(new Set(TABLE_TYPES));
  });

  it('include German text and uint64 millisecond times', () => {
    const text = JSON.stringify(vectors.map((v) => v.value));
    for (const needle of ['Müller', 'Straße', 'Köpenick', '1796380800000']) expect(text).toContain(needle);
  });

  describe.each(vectors.map((v) => [`${v.type}: ${v.name}`, v] as const))('%s', (_name, v) => {
    it('host and device encode the value to the golden bytes', () => {
      expect(Buffer.from(encodeMessage(v.type, v.value!)).toString('hex')).toBe(Buffer.from(v.bytes).toString('hex'));
      expect(Buffer.from(encode(table(v.type), v.value!)).toString('hex')).toBe(Buffer.from(v.bytes).toString('hex'));
    });

    it('host and device decode the golden bytes to the value', () => {
      expect(decodeMessage(v.type, v.bytes)).toStrictEqual(v.value);
      expect(decode(table(v.type), v.bytes)).toStrictEqual(v.value);
      // Socket data on the device: one char per byte.
      expect(decode(table(v.type), latin1(v.bytes))).toStrictEqual(v.value);
    });

    it('both codecs print the same JSON, key for key', () => {
      expect(JSON.stringify(decode(table(v.type), v.bytes))).toBe(JSON.stringify(decodeMessage(v.type, v.bytes)));
    });
  });
});
