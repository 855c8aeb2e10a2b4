import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { Output } from '../context.ts';
import { UserError } from '../errors.ts';
import { toCsv } from './csv.ts';

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
    .option('since', { type: 'string', describe: 'From this date/time or age (e.g. 2026-11-27, 24h, 7d); default: all' })
    .option('format', { choices: ['csv', 'json'], default: 'csv', describe: 'export: output format' })
    .option('out', { type: 'string', describe: 'export: write to this file instead of stdout' });
}

/** Text columns padded to line up; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** Writes rows as CSV or JSON to --out or stdout. Times get an ISO column next to the epoch ms. */
export function exportRows(rows: Record<string, unknown>[], columns: string[], format: string, out: string | undefined, output: Output): void {
  const text = format === 'json' ? JSON.stringify(rows, null, 2) + '\n' : toCsv(columns, rows);
  if (out) writeFileSync(out, text);
  else output.out(text);
}
