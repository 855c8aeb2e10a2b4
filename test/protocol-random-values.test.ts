// Seeded random values of every message type: host and device codec write the
// same bytes, and each codec reads the other's bytes back to the same value.
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decode, encode, type Table } from '../protocol/device/codec.ts';
import * as tables from '../protocol/device/tables.generated.ts';
import { loadSchema } from '../protocol/schema.ts';
import { decodeMessage, encodeMessage, TABLE_TYPES } from '../protocol/host-codec.ts';
import { seededRandom } from '../provisioner/seeded-random.ts';

const VALUES = 3000;
const table = (type: string) => (tables as unknown as Record<string, Table>)[type]!;
const schema = loadSchema();

// Text the desk meets: ASCII, German letters, and a few 3-byte characters.
const ALPHABET = 'abcXYZ019 -.,/äöüÄÖÜßé€–\u00a0';

function randomValue(next: () => number, type: protobuf.Type): Record<string, unknown> {
  const int = (n: number) => Math.floor(next() * n);
  // Small numbers, boundaries, and everything in between.
  const pick = (values: number[], max: number) => (next() < 0.5 ? values[int(values.length)]! : int(max));
  const scalar = (field: protobuf.Field): unknown => {
    if (field.resolvedType instanceof protobuf.Enum) return pick(Object.values(field.resolvedType.values), 20);
    switch (field.type) {
      case 'string': return Array.from({ length: int(24) }, () => ALPHABET[int(ALPHABET.length)]).join('');
      case 'bool': return next() < 0.5;
      case 'uint32': return pick([0, 1, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1], 2 ** 32);
      case 'sint32': return next() < 0.5 ? pick([0, -1, 1, -64, 64, -(2 ** 31), 2 ** 31 - 1], 0) : int(2 ** 32) - 2 ** 31;
      case 'uint64': return pick([0, 1, 2 ** 32 - 1, 2 ** 32, 1796380800000, 2 ** 53 - 1], 2 ** 53);
      default: throw new Error(`no generator for ${field.type}`);
    }
  };
  const value: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (next() < 0.2) continue;
    if (field.resolvedType instanceof protobuf.Type) value[field.name] = next() < 0.2 ? null : randomValue(next, field.resolvedType);
    else if (field.repeated) value[field.name] = Array.from({ length: int(5) }, () => scalar(field));
    else value[field.name] = scalar(field);
  }
  return value;
}

describe('random values', () => {
  it(`${VALUES} seeded values: same bytes from both codecs, same value back from either`, () => {
    const next = seededRandom(4711);
    for (let i = 0; i < VALUES; i++) {
      const typeName = TABLE_TYPES[i % TABLE_TYPES.length]!;
      const value = randomValue(next, schema.lookupType(typeName));
      const hostBytes = encodeMessage(typeName, value);
      const deviceBytes = encode(table(typeName), value);
      const label = `value ${i} ${typeName} ${JSON.stringify(value)}`;
      expect(Buffer.from(deviceBytes).toString('hex'), label).toBe(Buffer.from(hostBytes).toString('hex'));
      const back = decodeMessage(typeName, hostBytes);
      expect(decode(table(typeName), hostBytes), label).toStrictEqual(back);
      expect(decode(table(typeName), Buffer.from(hostBytes).toString('latin1')), label).toStrictEqual(back);
    }
  });
});
