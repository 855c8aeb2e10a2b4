// `deskphone proto encode|decode`: JSON <-> payload bytes with either codec,
// in-process through cli() and once as a real process with piped stdin.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../provisioner/cli.ts';
import type { Context } from '../provisioner/context.ts';
import { goldenVectors } from '../protocol/vectors/vectors.ts';

const snapshot = goldenVectors().find((v) => v.type === 'Snapshot' && v.value!.call)!;
const lookup = goldenVectors().find((v) => v.type === 'LookupResult' && String(v.value!.street).includes('Straße'))!;

interface Run {
  code: number;
  out: string;
  err: string;
  bytes: Uint8Array;
}

async function run(argv: string[], stdin: Uint8Array | string = ''): Promise<Run> {
  let out = '';
  let err = '';
  const written: Buffer[] = [];
  const ctx = {
    output: { out: (t: string) => (out += t + '\n'), err: (t: string) => (err += t + '\n'), tty: false },
    env: {},
    stopSignal: new Promise<void>(() => {}),
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: { write: (b: Uint8Array) => written.push(Buffer.from(b)) },
  } as Context;
  const code = await cli(argv, ctx);
  return { code, out, err, bytes: new Uint8Array(Buffer.concat(written)) };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('deskphone proto (in-process)', () => {
  it.each(['host', 'device'])('encode with the %s codec writes the golden bytes', async (codec) => {
    const r = await run(['proto', 'encode', '--type', 'Snapshot', '--codec', codec], JSON.stringify(snapshot.value));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(hex(r.bytes)).toBe(hex(snapshot.bytes));
  });

  it.each(['host', 'device'])('decode with the %s codec prints the golden value as JSON', async (codec) => {
    const r = await run(['proto', 'decode', '--type', 'LookupResult', '--codec', codec], lookup.bytes);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toStrictEqual(lookup.value);
    expect(r.out).toContain('Straße des 17. Juni 12');
  });

  it('decodes --hex and encodes to hex with enum names in the JSON', async () => {
    const decoded = await run(['proto', 'decode', '--type', 'Snapshot', '--hex', hex(snapshot.bytes).replace(/(..)/g, '$1 ')]);
    expect(JSON.parse(decoded.out)).toStrictEqual(snapshot.value);
    const encoded = await run(['proto', 'encode', '--type', 'Snapshot', '--hex'], '{"station":"wv-01","phase":"WRAP_UP"}');
    expect(encoded.out.trim()).toBe('0a 05 77 76 2d 30 31 10 05');
  });

  it.each([
    [['decode', '--type', 'Snapshot', '--hex', '0a 05 77 76'], '', /error: cannot decode Snapshot: Snapshot\.station \(field 1\) claims 5 bytes but only 2 remain at byte 1 \(length\)\n  fix: /],
    [['decode', '--type', 'Snapshot', '--codec', 'device', '--hex', '12 01 05'], '', /error: the device codec cannot decode these 3 bytes as Snapshot: wiretype \(a field has the wrong wire type/],
    [['decode', '--type', 'Snapshot', '--hex', '0a 0'], '', /error: --hex "0a 0" is not a sequence of hex bytes\n  fix: give pairs of hex digits/],
    [['encode', '--type', 'Snapshot'], '{"station": ', /error: stdin is not JSON \(.*\)\n  fix: pipe one JSON object of Snapshot's fields/],
    [['encode', '--type', 'Snapshot', '--codec', 'device'], '{"wrap_up_s": 300}', /error: Snapshot: unknown field "wrap_up_s"; did you mean "wrapUpS"\?/],
  ])('rejects bad input %j with a problem and a fix, exit 1', async (args, stdin, message) => {
    const r = await run(['proto', ...args], stdin);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
    expect(r.bytes.length).toBe(0);
  });
});

const BIN = fileURLToPath(new URL('../bin/deskphone.js', import.meta.url));

function spawnCli(args: string[], stdin: Uint8Array | string): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'proto', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
    child.stdin.end(Buffer.from(stdin));
  });
}

describe('deskphone proto (process)', () => {
  it('pipes JSON in and bytes out, and bytes in and JSON out', async () => {
    const [encoded, decoded] = await Promise.all([
      spawnCli(['encode', '--type', 'LookupResult'], JSON.stringify(lookup.value)),
      spawnCli(['decode', '--type', 'LookupResult', '--codec', 'device'], lookup.bytes),
    ]);
    expect(encoded.stderr).toBe('');
    expect(encoded.code).toBe(0);
    expect(hex(encoded.stdout)).toBe(hex(lookup.bytes));
    expect(decoded.code).toBe(0);
    expect(JSON.parse(decoded.stdout.toString('utf8'))).toStrictEqual(lookup.value);
  });
});
