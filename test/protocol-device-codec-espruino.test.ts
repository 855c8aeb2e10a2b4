// The device codec on the real interpreter: every golden, compat and error
// vector decoded from an 8-bit string and from a Uint8Array, and every golden
// value encoded, inside the 32-bit 2950-variable Linux build.
import { describe, expect, it } from 'vitest';
import { compatVectors, errorVectors, goldenVectors, type Vector } from '../protocol/vectors/vectors.ts';
import { runCodecDriver } from './helpers/codec-driver.ts';
import { requires } from './helpers/requires.ts';

// One interpreter run per group keeps the vectors inside 2950 variables.
function groups(): [string, Vector[], boolean][] {
  const byType = new Map<string, Vector[]>();
  for (const v of goldenVectors()) byType.set(v.type, [...(byType.get(v.type) ?? []), v]);
  return [...[...byType].map(([type, list]): [string, Vector[], boolean] => [type, list, true]), ['compat', compatVectors(), false], ['errors', errorVectors(), false]];
}

// Written in the interpreter's subset; bundled like the firmware.
const DRIVER = `
import { decode, encode } from './codec.ts';
import * as T from './tables.generated.ts';
declare const E: any, V: any[], NAME: string, ENCODE: boolean;
function bytes(h) { let s = ''; for (let i = 0; i < h.length; i += 2) s += String.fromCharCode(parseInt(h.substr(i, 2), 16)); return s; }
function hex(u) { let s = ''; for (let i = 0; i < u.length; i++) s += (u[i] < 16 ? '0' : '') + u[i].toString(16); return s; }
function same(a, b) {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (let i = 0; i < ka.length; i++) if (!same(a[ka[i]], b[ka[i]])) return false;
  return true;
}
let ok = 0;
for (let i = 0; i < V.length; i++) {
  const v = V[i];
  const table = T[v.t];
  const fromString = decode(table, bytes(v.h));
  const fromArray = decode(table, E.toUint8Array(bytes(v.h)));
  let why = '';
  if (v.e) { if (fromString !== v.e || fromArray !== v.e) why = 'decode gave ' + JSON.stringify(fromString); }
  else if (!same(fromString, v.v) || !same(fromArray, v.v)) why = 'decode gave ' + JSON.stringify(fromString);
  else if (ENCODE && hex(encode(table, v.v)) !== v.h) why = 'encode gave ' + hex(encode(table, v.v));
  if (why) print('FAIL ' + v.n + ': ' + why); else ok++;
}
print(NAME + ': ' + ok + ' of ' + V.length + ' ok');
`;

describe('device codec on the Espruino interpreter (2950 variables)', () => {
  requires('espruino-2950');
  it.each(groups())('%s vectors', async (name, vectors, withEncode) => {
    const data = vectors.map((v) => ({ t: v.type, n: v.name, h: Buffer.from(v.bytes).toString('hex'), v: v.value, e: v.error }));
    const prelude = `var V = ${JSON.stringify(data)}, NAME = ${JSON.stringify(name)}, ENCODE = ${withEncode};\n`;
    const out = await runCodecDriver(DRIVER, prelude, 20_000);
    expect(out.split(/\r?\n/).filter((l) => l.startsWith('FAIL '))).toEqual([]);
    expect(out).toContain(`${name}: ${vectors.length} of ${vectors.length} ok`);
  });
});
