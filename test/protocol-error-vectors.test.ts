// Bad bytes: the device decoder returns the defined error string (no throw),
// the host codec throws a ProtocolError with the same code and says where.
import { describe, expect, it } from 'vitest';
import { decode, type Table } from '../protocol/device/codec.ts';
import * as tables from '../protocol/device/tables.generated.ts';
import { decodeMessage, ProtocolError } from '../protocol/host-codec.ts';
import { errorVectors } from '../protocol/vectors/vectors.ts';

const table = (type: string) => (tables as unknown as Record<string, Table>)[type]!;

function hostError(type: string, bytes: Uint8Array): ProtocolError {
  try {
    decodeMessage(type, bytes);
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error(`host decoded bad ${type} bytes without an error`);
}

describe('error vectors', () => {
  it('cover each defined error', () => {
    expect(new Set(errorVectors().map((v) => v.error))).toEqual(new Set(['truncated', 'varint', 'wiretype', 'length', 'depth']));
  });

  describe.each(errorVectors().map((v) => [`${v.type}: ${v.name} -> ${v.error}`, v] as const))('%s', (_name, v) => {
    it('device decoder returns the error string', () => {
      expect(decode(table(v.type), v.bytes)).toBe(v.error);
      expect(decode(table(v.type), Buffer.from(v.bytes).toString('latin1'))).toBe(v.error);
    });

    it('host codec throws a ProtocolError with that code, naming the type and the byte', () => {
      const err = hostError(v.type, v.bytes);
      expect(err.code).toBe(v.error);
      expect(err.message).toContain(`cannot decode ${v.type}`);
      expect(err.message).toMatch(/at byte \d+/);
      expect(err.offset).toBeGreaterThanOrEqual(0);
      expect(err.offset).toBeLessThanOrEqual(v.bytes.length);
    });
  });

  it('host messages say what is wrong', () => {
    const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));
    expect(hostError('Snapshot', bytes('12 01 05')).message).toBe(
      'cannot decode Snapshot: Snapshot.phase (field 2) arrived as length-delimited, expected varint at byte 0 (wiretype)',
    );
    expect(hostError('Snapshot', bytes('0a 05 77 76')).message).toBe(
      'cannot decode Snapshot: Snapshot.station (field 1) claims 5 bytes but only 2 remain at byte 1 (length)',
    );
  });
});
