// The host codec refuses values it cannot encode faithfully, with messages a
// person can act on, and exposes the contract's enums as const objects.
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import * as hostCodec from '../protocol/host-codec.ts';
import { decodeMessage, encodeMessage, Phase, ProtocolError } from '../protocol/host-codec.ts';
import { loadSchema } from '../protocol/schema.ts';

function encodeError(type: string, value: unknown): ProtocolError {
  try {
    encodeMessage(type, value as object);
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error('encoded without an error');
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('host encode checks', () => {
  it.each([
    ['snake_case field', { wrap_up_deadline_ms: 1 }, /Snapshot: unknown field "wrap_up_deadline_ms"; did you mean "wrapUpDeadlineMs"\?/],
    ['unknown field', { foo: 1 }, /Snapshot: unknown field "foo"; fields: station, phase, call,/],
    ['string for a number', { seq: 'x' }, /Snapshot\.seq: integer expected/],
    ['nested wrong type', { call: { menu: 'x' } }, /Snapshot\.call\.menu: integer expected/],
    ['enum name that does not exist', { phase: 'WRAPUP' }, /Snapshot\.phase: "WRAPUP" is not a Phase; one of PHASE_UNSPECIFIED, SIGNED_OUT/],
    ['uint64 beyond what the device can read', { hostTimeMs: 2 ** 53 }, /Snapshot\.hostTimeMs: 9007199254740992 is out of range for uint64 \(0 to 2\^53-1\)/],
    ['negative uint32', { seq: -1 }, /Snapshot\.seq: -1 is out of range for uint32/],
    ['array for a message', { call: [] }, /Snapshot\.call: expected an object with fields of Call, got an array/],
    ['scalar for a repeated field', { areas: 1 }, /Snapshot\.areas: expected an array, got number 1/],
  ])('rejects a %s', (_what, value, message) => {
    const err = encodeError('Snapshot', value);
    expect(err.code).toBe('value');
    expect(err.message).toMatch(message);
  });

  it('accepts enum names as JSON users write them', () => {
    expect(hex(encodeMessage('Snapshot', { phase: 'WRAP_UP', areas: ['WV', 'KM'] } as never))).toBe(
      hex(encodeMessage('Snapshot', { phase: Phase.WRAP_UP, areas: [1, 2] })),
    );
  });

  it('names the known types for an unknown one', () => {
    const err = encodeError('Snap', {});
    expect(err.code).toBe('type');
    expect(err.message).toMatch(/unknown message type "Snap"; known: Call, Snapshot, /);
    expect(() => decodeMessage('Snap', new Uint8Array())).toThrow(/unknown message type "Snap"/);
  });
});

describe('host decode of text that is not UTF-8', () => {
  it('is a ProtocolError naming the field', () => {
    const bytes = Uint8Array.from([0x5a, 0x02, 0xc3, 0x28]);
    expect(() => decodeMessage('Snapshot', bytes)).toThrow(/Snapshot\.agent \(field 11\) is not valid UTF-8 text at byte 2 \(utf8\)/);
  });
});

describe('enum constants', () => {
  it('equal the .proto values for every enum', () => {
    const enums = loadSchema().nestedArray.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum);
    expect(enums.map((e) => e.name).sort()).toEqual(
      ['AccountSource', 'AckStatus', 'ActionKind', 'Area', 'CommandKind', 'LookupStatus', 'Phase', 'Reason', 'UpdateState'],
    );
    for (const e of enums) expect((hostCodec as unknown as Record<string, object>)[e.name]).toEqual(e.values);
    expect(Phase.WRAP_UP).toBe(5);
  });
});

describe('host decode of bytes fields', () => {
  it('reads the update messages that carry bytes (UpdateChunk, RecoveryCode) back as they were encoded', () => {
    const data = Buffer.from([0, 1, 2, 0xff, 0x80]);
    const chunk = decodeMessage('UpdateChunk', encodeMessage('UpdateChunk', { data, crc32: 7, size: 5, id: 'u1' })) as { offset: number; data: Uint8Array; id: string };
    expect([chunk.offset, Buffer.from(chunk.data).toString('hex'), chunk.id]).toEqual([0, '000102ff80', 'u1']);
    const rec = decodeMessage('RecoveryCode', encodeMessage('RecoveryCode', { code: Buffer.from('print(1)') })) as { code: Uint8Array };
    expect(Buffer.from(rec.code).toString()).toBe('print(1)');
  });
});
