// Every file `npm run gen:proto` writes (device tables and enums from the .proto,
// the desk's string table and the dashboard's labels from the catalogue) must be
// what the generator writes now, and the codec bundle must pass the Espruino gate.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem, gate } from '../hardware/espruino-gate.ts';
import { relative } from 'node:path';
import { allGeneratedFiles, bundleDeviceCodec, checkLimits, generateDeviceTables, LIMITS_PATH, TABLES_PATH } from '../protocol/gen-device-tables.ts';
import { loadSchema } from '../protocol/schema.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dp-gen-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function protoWith(body: string): string {
  const path = join(scratch, `t${Math.random().toString(36).slice(2)}.proto`);
  writeFileSync(path, `syntax = "proto3";\npackage deskphone.v1;\n${body}\n`);
  return path;
}

describe('generated device tables', () => {
  it.each(allGeneratedFiles().map(([path, text]) => [relative(join(import.meta.dirname, '..'), path), path, text]))(
    '%s matches the committed file (run `npm run gen:proto` after changing the .proto or the catalogue)',
    (_name, path, text) => {
      expect(readFileSync(path, 'utf8')).toBe(text);
      expect(text.split('\n')[0]).toMatch(/^\/\/ GENERATED .* do not edit\./);
      expect(text).toContain('npm run gen:proto');
    },
  );

  it('pick up a new field', () => {
    const path = protoWith('message SyncRequest { uint32 have_seq = 1; string why_now = 3; }');
    expect(generateDeviceTables(path)).toContain("export const SyncRequest: Table<SyncRequest> = ['haveSeq', 0, 0, 0, 'whyNow', 5];");
  });

  it.each([
    ['a double', 'message M { double x = 1; }', /M\.x \(field 1\) has type double/],
    ['a map', 'message M { map<string, uint32> x = 1; }', /M\.x \(field 1\) is a map/],
    ['a oneof', 'message M { oneof o { uint32 a = 1; string b = 2; } }', /M\.a \(field 1\) is in a oneof/],
    ['repeated strings', 'message M { repeated string x = 1; }', /M\.x \(field 1\) is a repeated string/],
    ['a recursive message', 'message M { M child = 1; }', /M contains itself/],
  ])('reject %s with the field named', (_what, body, message) => {
    expect(() => generateDeviceTables(protoWith(body))).toThrow(message);
  });

  it('device-limits.json names only string fields of the contract', () => {
    const ns = loadSchema();
    expect(() => checkLimits(ns, JSON.parse(readFileSync(LIMITS_PATH, 'utf8')))).not.toThrow();
    expect(() => checkLimits(ns, { 'Snapshot.seq': 5 })).toThrow(/"Snapshot.seq" is not a string field/);
  });

  it('the minified codec with all tables passes the Espruino gate', async () => {
    const code = await bundleDeviceCodec();
    expect(gate(code).map((p) => formatProblem(p))).toEqual([]);
  });
});
