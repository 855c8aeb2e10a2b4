import type { Argv } from 'yargs';
import type { Context, Output } from '../context.ts';
import { openDataDir } from '../data-dir.ts';
import { openDb, type Db } from '../db.ts';
import { UserError } from '../../lib/user-error.ts';
import { writeCsv } from '../csv.ts';
import { formatTable } from '../text.ts';
import { writeOutFile } from './out-file.ts';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * --since as a point in time: an ISO date or date-time ("2026-11-27",
 * "2026-11-27T08:00Z") or an age ("30m", "24h", "7d"). Omitted means everything.
 */
export function parseSince(text: string | undefined, now: number): number {
  if (text === undefined || text === '') return 0;
  const age = /^(\d+)([mhd])$/.exec(text);
  if (age) return now - Number(age[1]) * UNITS[age[2]];
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (!Number.isNaN(t)) return t;
  }
  throw new UserError(`--since "${text}" is neither a date nor an age`, 'e.g. --since 2026-11-27, --since 2026-11-27T08:00Z or --since 24h');
}

export function listOptions(y: Argv): Argv {
  return y
    .positional('action', { choices: ['list', 'export'], describe: 'list (table) or export (csv/json)' })
    .option('since', { type: 'string', describe: 'From this date/time or age (e.g. 2026-11-27, 24h, 7d); default: all' })
    .option('format', { choices: ['csv', 'json'], default: 'csv', describe: 'export: output format' })
    .option('out', { type: 'string', describe: 'export: write to this file instead of stdout' });
}

/** Writes rows as CSV or JSON to --out or stdout. Times get an ISO column next to the epoch ms. */
export function exportRows(rows: Record<string, unknown>[], columns: string[], format: string, out: string | undefined, output: Output): void {
  const text = format === 'json' ? JSON.stringify(rows, null, 2) + '\n' : writeCsv(columns, rows.map((r) => columns.map((c) => r[c])));
  if (out) writeOutFile(out, text);
  else output.out(text);
}

export interface ListArgs {
  action: 'list' | 'export';
  since?: string;
  format: 'csv' | 'json';
  out?: string;
  json: boolean;
}

/** One stored record kind that `<command> list|export` shows (audit, tickets). */
export interface RecordListing<R> {
  load(db: Db, sinceMs: number): R[];
  /** The epoch ms that becomes the ISO `time` column. */
  timeOf(row: R): number;
  exportColumns: string[];
  tableHeader: string[];
  tableRow(row: R & { time: string }): string[];
  /** What the empty list says, before " since …". */
  none: string;
}

/** Runs `list` or `export` for one record kind from the data directory's database. */
export function listOrExport<R extends object>(listing: RecordListing<R>, args: ListArgs, ctx: Context): void {
  const sinceMs = parseSince(args.since, Date.now());
  const db = openDb(openDataDir(ctx));
  try {
    const rows = listing.load(db, sinceMs).map((r) => ({ ...r, time: new Date(listing.timeOf(r)).toISOString() }));
    if (args.action === 'export') return exportRows(rows, listing.exportColumns, args.format, args.out, ctx.output);
    if (args.json) return ctx.output.out(JSON.stringify(rows));
    if (rows.length === 0) return ctx.output.out(`${listing.none}${args.since ? ' since ' + args.since : ''}.`);
    ctx.output.out(formatTable(listing.tableHeader, rows.map((r) => listing.tableRow(r))));
  } finally {
    db.close();
  }
}
