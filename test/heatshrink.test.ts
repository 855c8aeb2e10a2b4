// The host's heatshrink (hardware/heatshrink.ts) against the interpreter's own
// `require("heatshrink").decompress`: what the host compresses, the desk
// expands to the very bytes, on the fast 64-bit build and on the 2950-variable
// one (same static config, libs/compression/heatshrink/heatshrink_config.h).
// The cases reach the config's limits: a match longer than 16 bytes (a 4-bit
// lookahead would stop there) and back-references up to 255 bytes (a smaller
// window would not reach), incompressible bytes and every byte value.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_DIR } from '../firmware/build.ts';
import { compress, decompress } from '../hardware/heatshrink.ts';
import { ESPRUINO_2950, ESPRUINO_64 } from './helpers/interpreter.ts';
import { requires } from './helpers/requires.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Bytes whose repeats sit 200 bytes apart and run for 100 bytes. */
function farRepeats(): Uint8Array {
  const unit = new Uint8Array(randomBytes(200));
  const out = new Uint8Array(2000);
  for (let i = 0; i < out.length; i++) out[i] = unit[i % 200]!;
  return out;
}

const CASES: Record<string, Uint8Array> = {
  empty: new Uint8Array(0),
  'one byte': new Uint8Array([0xa5]),
  'a run of 300 equal bytes': new Uint8Array(300).fill(0x41),
  'repeats 200 bytes back': farRepeats(),
  'every byte value': Uint8Array.from({ length: 512 }, (_, i) => i & 255),
  'random, 3000 B': new Uint8Array(randomBytes(3000)),
};

/**
 * Runs one script per case on `interpreter`: it expands the compressed bytes
 * and compares them with the original inside the interpreter, printing
 * `SAME <length>` or where they first differ.
 */
function expandOn(interpreter: string, original: Uint8Array, packed: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'dp-heatshrink-'));
  dirs.push(dir);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  writeFileSync(
    join(dir, 'x.js'),
    `var d=E.toString(require("heatshrink").decompress(atob("${b64(packed)}")));var o=atob("${b64(original)}");` +
      `var i=0;while(i<o.length&&d[i]===o[i])i++;` +
      `print(d===o?"SAME "+d.length:"DIFFERS at "+i+" of "+o.length+", got "+d.length);`,
  );
  const out = execFileSync(interpreter, ['x.js'], { cwd: dir, input: '', timeout: 120_000 }).toString('latin1');
  return /(SAME|DIFFERS).*/.exec(out)?.[0] ?? out.slice(-300);
}

const ratio = (a: number, b: number) => ((100 * b) / a).toFixed(1) + ' %';

describe('host heatshrink, expanded by the real interpreter', () => {
  requires('espruino-64', 'espruino-2950');

  it('64-bit build: every case and the Pixl.js firmware bundle come back byte for byte', () => {
    const bundle = new Uint8Array(readFileSync(join(DIST_DIR, 'pixljs-w5100.js')));
    for (const [what, data] of Object.entries({ ...CASES, 'pixljs-w5100.js': bundle })) {
      const packed = compress(data);
      expect({ what, result: expandOn(ESPRUINO_64!, data, packed) }).toEqual({ what, result: `SAME ${data.length}` });
      if (data.length) console.log(`heatshrink ${what}: ${data.length} -> ${packed.length} B (${ratio(data.length, packed.length)})`);
    }
  });

  it('2950-variable build: the same', () => {
    for (const [what, data] of Object.entries(CASES)) {
      expect({ what, result: expandOn(ESPRUINO_2950!, data, compress(data)) }).toEqual({ what, result: `SAME ${data.length}` });
    }
  }, 120_000);

  it('the host decompresses what it compressed (the simulator expands Storage files with it)', () => {
    for (const data of Object.values(CASES)) expect(decompress(compress(data))).toEqual(data);
  });
});
