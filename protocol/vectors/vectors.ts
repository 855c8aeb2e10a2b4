// Loads the shared codec vectors in this folder. Bytes are written as
// [hex, note] pairs so that a reader sees which bytes carry which field.
//   <Message>.json  golden: value <-> bytes, both directions, both codecs
//   compat.json     decode only: unknown fields and enum values, merging
//   errors.json     bytes both codecs reject, with the device's error string

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DecodeError } from '../device/codec.ts';

const dir = dirname(fileURLToPath(import.meta.url));

export type AnnotatedBytes = [hex: string, note: string][];

export interface Vector {
  type: string;
  name: string;
  bytes: Uint8Array;
  /** Decoded value (golden and compat vectors). */
  value?: Record<string, unknown>;
  /** Expected error (error vectors). */
  error?: DecodeError;
}

interface VectorCase {
  name: string;
  type?: string;
  bytes: AnnotatedBytes;
  value?: Record<string, unknown>;
  error?: DecodeError;
}

export function hexToBytes(pairs: AnnotatedBytes): Uint8Array {
  const hex = pairs.map(([h]) => h).join(' ').trim();
  if (!hex) return new Uint8Array(0);
  const parts = hex.split(/\s+/);
  for (const p of parts) if (!/^[0-9a-f]{2}$/.test(p)) throw new Error(`vector byte "${p}" is not two lowercase hex digits`);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

function read(file: string): { type?: string; cases: VectorCase[] } {
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

function toVectors(file: string): Vector[] {
  const doc = read(file);
  return doc.cases.map((c) => ({
    type: c.type ?? doc.type ?? '',
    name: c.name,
    bytes: hexToBytes(c.bytes),
    value: c.value,
    error: c.error,
  }));
}

/** Golden vectors of every message type, from <Message>.json. */
export function goldenVectors(): Vector[] {
  return readdirSync(dir)
    .filter((f) => /^[A-Z]\w*\.json$/.test(f))
    .sort()
    .flatMap(toVectors);
}

export function compatVectors(): Vector[] {
  return toVectors('compat.json');
}

export function errorVectors(): Vector[] {
  return toVectors('errors.json');
}
