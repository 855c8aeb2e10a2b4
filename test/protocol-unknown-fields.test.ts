// Newer or older senders: unknown fields are skipped and unknown enum values
// kept as numbers by both codecs; repeated occurrences merge like protobuf.
import { describe, expect, it } from 'vitest';
import { decode, type Table } from '../protocol/device/codec.ts';
import * as tables from '../protocol/device/tables.generated.ts';
import { decodeMessage } from '../protocol/host-codec.ts';
import { compatVectors } from '../protocol/vectors/vectors.ts';

const table = (type: string) => (tables as unknown as Record<string, Table>)[type]!;

describe.each(compatVectors().map((v) => [`${v.type}: ${v.name}`, v] as const))('%s', (_name, v) => {
  it('host codec decodes to the value', () => {
    expect(decodeMessage(v.type, v.bytes)).toStrictEqual(v.value);
  });

  it('device codec decodes to the value', () => {
    expect(decode(table(v.type), v.bytes)).toStrictEqual(v.value);
  });
});

describe('a value decoded with an unknown enum value', () => {
  it('re-encodes on the host with the number kept', () => {
    const v = compatVectors().find((c) => c.name.startsWith('unknown enum values'))!;
    const snap = decodeMessage('Snapshot', v.bytes);
    expect(snap.phase).toBe(99);
    expect(decode(tables.Snapshot, v.bytes)).toMatchObject({ phase: 99, reason: 200, areas: [1, 7, 2] });
  });
});
