// `deskphone audit|tickets list|export`: the tables, the empty lists, --json, --since, and an unwritable --out.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../provisioner/db.ts';
import { ActionStore } from '../provisioner/service/actions.ts';
import { AuditLog } from '../provisioner/service/audit.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

const T0 = Date.parse('2026-11-20T09:00:00Z');
const T1 = Date.parse('2026-11-26T14:30:00Z');

let home: string;
let run: ReturnType<typeof cliIn>;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'deskphone-lists-'));
  run = cliIn(home);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function seed(): void {
  const db = openDb(home);
  try {
    const audit = new AuditLog(db);
    audit.record({ timeMs: T0, station: 'wv-01', account: '4000000001', outcome: 'FOUND', source: 'KEYPAD', callId: 'c-1', corr: 'k1', detail: '' });
    audit.record({ timeMs: T1, station: 'km-02', account: '4000000002', outcome: 'NOT_FOUND', source: 'IVR', callId: 'c-2', corr: 'k2', detail: '' });
    const actions = new ActionStore(db, false);
    actions.store({ station: 'wv-01', key: 'a1', kind: 'TICKET', callId: 'c-1', account: '4000000001', createdMs: T0, storedMs: T0 });
    actions.store({ station: 'wv-01', key: 'a2', kind: 'READY', callId: 'c-1', account: '', createdMs: T0, storedMs: T0 });
    actions.store({ station: 'km-02', key: 'a3', kind: 'LETTER', callId: 'c-2', account: '4000000002', createdMs: T1, storedMs: T1 });
  } finally {
    db.close();
  }
}

describe('audit list', () => {
  it('says when nothing was audited, also since a date', async () => {
    expect(await run('audit', 'list')).toMatchObject({ code: 0, out: 'No lookups audited.\n' });
    expect(await run('audit', 'list', '--since', '2026-11-01')).toMatchObject({ code: 0, out: 'No lookups audited since 2026-11-01.\n' });
  });

  it('shows one line per lookup with station, account, outcome and source', async () => {
    seed();
    const { code, out } = await run('audit', 'list');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['TIME', 'STATION', 'ACCOUNT', 'OUTCOME', 'SOURCE', 'CALL']);
    expect(lines.slice(1).map((l) => l.split(/\s+/))).toEqual([
      ['2026-11-20T09:00:00.000Z', 'wv-01', '4000000001', 'FOUND', 'KEYPAD', 'c-1'],
      ['2026-11-26T14:30:00.000Z', 'km-02', '4000000002', 'NOT_FOUND', 'IVR', 'c-2'],
    ]);
  });

  it('--since and --json select and shape the rows', async () => {
    seed();
    const { code, out } = await run('audit', 'list', '--since', '2026-11-25', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([
      { timeMs: T1, time: '2026-11-26T14:30:00.000Z', station: 'km-02', account: '4000000002', outcome: 'NOT_FOUND', source: 'IVR', callId: 'c-2', corr: 'k2', detail: '' },
    ]);
  });
});

describe('tickets list', () => {
  it('says when there is nothing', async () => {
    expect(await run('tickets', 'list', '--since', '7d')).toMatchObject({ code: 0, out: 'No tickets, letters or forwards since 7d.\n' });
  });

  it('shows tickets and letters with their references, not the ready presses', async () => {
    seed();
    const { code, out } = await run('tickets', 'list');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['REF', 'KIND', 'TIME', 'STATION', 'CALL', 'ACCOUNT', 'DELIVERY']);
    expect(lines.slice(1).map((l) => l.split(/\s+/))).toEqual([
      ['T-2026-000001', 'TICKET', '2026-11-20T09:00:00.000Z', 'wv-01', 'c-1', '4000000001', '-'],
      ['L-2026-000001', 'LETTER', '2026-11-26T14:30:00.000Z', 'km-02', 'c-2', '4000000002', '-'],
    ]);
  });
});

describe('export --out', () => {
  it('writes the file it is given', async () => {
    seed();
    const file = join(home, 'tickets.csv');
    expect((await run('tickets', 'export', '--out', file)).code).toBe(0);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('ref,kind,station,callId,account,createdMs,storedMs,time,delivery,key');
  });

  it.each(['audit', 'tickets'])('%s export to a directory that does not exist names the path and the fix, without a stack trace', async (command) => {
    seed();
    const file = join(home, 'no-such-dir', 'out.csv');
    const { code, err } = await run(command, 'export', '--out', file);
    expect(code).toBe(1);
    expect(err).toBe(`error: cannot write ${file}: ENOENT\n  fix: give --out a path in an existing, writable directory\n`);
    expect(existsSync(file)).toBe(false);
  });

  it('a bad --since opens no database', async () => {
    const { code, err } = await run('audit', 'export', '--since', 'garbage');
    expect(code).toBe(1);
    expect(err).toContain('--since "garbage" is neither a date nor an age');
    expect(existsSync(join(home, 'deskphone.db'))).toBe(false);
  });
});
