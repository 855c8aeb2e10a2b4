// Codec size and speed: the minified device codec with every message table
// (budget 3 KB), and encode/decode time per message type in Node for the
// device codec, plain protobufjs, and the host codec (protobufjs plus its
// value and wire checks), using the golden vectors as payloads.

import { formatTable } from '../provisioner/text.ts';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { decode, encode, type Table } from '../protocol/device/codec.ts';
import * as tables from '../protocol/device/tables.generated.ts';
import { bundleDeviceCodec } from '../protocol/gen-device-tables.ts';
import { loadSchema } from '../protocol/schema.ts';
import { decodeMessage, encodeMessage } from '../protocol/host-codec.ts';
import { goldenVectors, type Vector } from '../protocol/vectors/vectors.ts';
import { INTERPRETER_2950, runCodecDriver } from '../test/helpers/codec-driver.ts';

const SIZE_BUDGET = 3 * 1024;
/** Each operation runs in ROUNDS rounds of ROUND_MS; the fastest round counts (GC and JIT noise only add time). */
const ROUNDS = 5;
const ROUND_MS = 25;
const TO_OBJECT = { longs: Number, enums: Number, defaults: true, arrays: true };

function microsPerOp(op: () => unknown): number {
  for (let end = performance.now() + ROUND_MS; performance.now() < end; ) op();
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    let runs = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ROUND_MS) {
      for (let i = 0; i < 50; i++) op();
      runs += 50;
      now = performance.now();
    }
    best = Math.min(best, ((now - start) * 1000) / runs);
  }
  return best;
}

async function reportSize(): Promise<void> {
  const code = await bundleDeviceCodec();
  const harness = /globalThis\.DPC=\[[^\]]*\];?/.exec(code)?.[0] ?? '';
  const bytes = Buffer.byteLength(code, 'latin1') - harness.length;
  const gzip = gzipSync(code, { level: 9 }).length;
  const messages = loadSchema().nestedArray.filter((n) => n instanceof protobuf.Type).length;
  console.log(
    `device codec + ${messages} message tables (esbuild --minify --target=es2015): ${bytes} bytes, ` +
      `${bytes <= SIZE_BUDGET ? 'within' : 'OVER'} the ${SIZE_BUDGET}-byte budget; gzip -9: ${gzip} bytes ` +
      `(the bundle's ${harness.length}-byte export line is left out of the first figure, not the second)`,
  );
}

/** The richest golden vector of each type: the one with the most bytes. */
function payloads(): Vector[] {
  const byType = new Map<string, Vector>();
  for (const v of goldenVectors()) {
    const best = byType.get(v.type);
    if (!best || v.bytes.length > best.bytes.length) byType.set(v.type, v);
  }
  return [...byType.values()];
}

function reportSpeed(): void {
  const root = protobuf.loadSync(new URL('../protocol/deskphone.proto', import.meta.url).pathname);
  const rows: string[][] = [];
  let sumEncodeRatio = 0;
  let sumDecodeRatio = 0;
  const list = payloads();
  for (const v of list) {
    const table = (tables as unknown as Record<string, Table>)[v.type]!;
    const type = root.lookupType(`deskphone.v1.${v.type}`);
    const value = v.value!;
    const latin1 = Buffer.from(v.bytes).toString('latin1');
    const pbEnc = microsPerOp(() => type.encode(value).finish());
    const devEnc = microsPerOp(() => encode(table, value));
    const hostEnc = microsPerOp(() => encodeMessage(v.type, value));
    const pbDec = microsPerOp(() => type.toObject(type.decode(v.bytes), TO_OBJECT));
    const devDec = microsPerOp(() => decode(table, v.bytes));
    const devDecStr = microsPerOp(() => decode(table, latin1));
    const hostDec = microsPerOp(() => decodeMessage(v.type, v.bytes));
    sumEncodeRatio += devEnc / pbEnc;
    sumDecodeRatio += devDec / pbDec;
    rows.push([
      v.type,
      String(v.bytes.length),
      pbEnc.toFixed(2),
      devEnc.toFixed(2),
      (devEnc / pbEnc).toFixed(1),
      hostEnc.toFixed(2),
      pbDec.toFixed(2),
      devDec.toFixed(2),
      devDecStr.toFixed(2),
      (devDec / pbDec).toFixed(1),
      hostDec.toFixed(2),
    ]);
  }
  const header = ['type', 'bytes', 'enc pbjs', 'enc dev', 'dev/pbjs', 'enc host', 'dec pbjs', 'dec dev', 'dec dev(str)', 'dev/pbjs', 'dec host'];
  console.log('µs per message in Node ' + process.version + ' (pbjs: protobufjs encode / decode+toObject; host: host-codec with checks; dev(str): 8-bit string input)');
  console.log(formatTable(header, rows, { right: header.map((_, i) => i).slice(1) }));
  console.log(`mean device/protobufjs time: encode ${(sumEncodeRatio / list.length).toFixed(1)}x, decode ${(sumDecodeRatio / list.length).toFixed(1)}x`);
}

const INTERPRETER_RUNS = 50;

/** The same codec on the interpreter's 32-bit Linux build (2950 variables), where installed. */
async function reportInterpreter(): Promise<void> {
  if (!existsSync(INTERPRETER_2950)) {
    console.log(`(${INTERPRETER_2950} not installed: no interpreter timings)`);
    return;
  }
  const picked = payloads().filter((v) => ['Snapshot', 'LookupResult', 'Presence', 'Action'].includes(v.type));
  const data = picked.map((v) => ({ t: v.type, s: Buffer.from(v.bytes).toString('latin1'), v: v.value }));
  const driver = `
import { decode, encode } from './codec.ts';
import * as T from './tables.generated.ts';
declare const V: any[];
for (let i = 0; i < V.length; i++) {
  const v = V[i];
  let t0 = getTime();
  for (let n = 0; n < ${INTERPRETER_RUNS}; n++) decode(T[v.t], v.s);
  const dec = (getTime() - t0) * 1000 / ${INTERPRETER_RUNS};
  t0 = getTime();
  for (let n = 0; n < ${INTERPRETER_RUNS}; n++) encode(T[v.t], v.v);
  const enc = (getTime() - t0) * 1000 / ${INTERPRETER_RUNS};
  print('RESULT ' + v.t + ' ' + v.s.length + ' ' + dec.toFixed(2) + ' ' + enc.toFixed(2));
}
`;
  const out = await runCodecDriver(driver, `var V = ${JSON.stringify(data)};\n`, 60_000);
  console.log(`ms per message on ${INTERPRETER_2950} (Linux build, x86; real boards are slower):`);
  const rows = out.split(/\r?\n/).filter((l) => l.startsWith('RESULT ')).map((line) => line.split(' ').slice(1));
  console.log(formatTable(['type', 'bytes', 'decode ms', 'encode ms'], rows, { right: [1, 2, 3] }));
}

export async function run(): Promise<void> {
  await reportSize();
  reportSpeed();
  await reportInterpreter();
}
