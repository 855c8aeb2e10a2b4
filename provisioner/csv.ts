// The one CSV reader and writer of the CLI, on csv-parse and csv-stringify:
// station import, the account directory, the Asterisk member map; exports,
// secrets files, the demo directory.
// A spreadsheet runs a cell that starts with = + - @ (and, in some, with a
// tab or CR before one) as a formula, e.g. =HYPERLINK(...) sending the row to
// a stranger's server; desks, the PBX and admins choose such cells.
import type { Readable } from 'node:stream';
import { CsvError as ParseError, parse, type Info, type Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/;
/** A text cell as neutralize() wrote it. */
const NEUTRALIZED = /^'[=+\-@\t\r]/;

/** A leading apostrophe makes a spreadsheet show the cell as text (OWASP's advice for CSV injection). */
function neutralize(text: string): string {
  return FORMULA_START.test(text) ? "'" + text : text;
}

/** A header line and rows as RFC 4180 CSV (LF line ends); text cells that would run as formulas are neutralized. */
export function writeCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([header, ...rows], { cast: { string: neutralize, boolean: String }, eof: true });
}

/** A cell as it was before writeCsv, for files the CLI reads back (station import of a station export). */
export function readCell(text: string): string {
  return NEUTRALIZED.test(text) ? text.slice(1) : text;
}

export interface CsvRecord {
  /** Line in the file where the record starts (1-based), for error messages. */
  line: number;
  fields: string[];
}

/** A file that is no CSV, with the line where it goes wrong. */
export class CsvError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

/** RFC 4180 as spreadsheets write it: a BOM, CRLF or LF, blank lines skipped, rows of any length (the caller names a wrong one). */
const READ_OPTIONS: Options = { bom: true, skip_empty_lines: true, relax_column_count: true, info: true };

/** The parser's faults in words an admin can act on. */
const PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field; quote the whole field and double inner quotes',
  CSV_INVALID_CLOSING_QUOTE: 'a quote inside a quoted field must be doubled',
  CSV_MAX_RECORD_SIZE: 'the row is too long',
};

function recordOf({ record, info }: { record: string[]; info: Info }): CsvRecord {
  // The parser counts lines to the record's end; a quoted field with line breaks began that many lines earlier.
  return { line: info.lines - record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0), fields: record };
}

function csvError(err: unknown): unknown {
  return err instanceof ParseError ? new CsvError(Number(err.lines), PROBLEMS[err.code] ?? err.message) : err;
}

/** Every record of a CSV text; throws CsvError. */
export function readCsv(text: string): CsvRecord[] {
  try {
    return (parseSync(text, READ_OPTIONS) as unknown as { record: string[]; info: Info }[]).map(recordOf);
  } catch (err) {
    throw csvError(err);
  }
}

/** The records of a CSV stream as they come, so a large file never sits in memory whole; throws CsvError. */
export async function* streamCsv(input: Readable, maxRecordBytes: number): AsyncGenerator<CsvRecord> {
  try {
    for await (const entry of input.pipe(parse({ ...READ_OPTIONS, max_record_size: maxRecordBytes }))) yield recordOf(entry as { record: string[]; info: Info });
  } catch (err) {
    throw csvError(err);
  }
}

/** One record below the header: its values by column, or why it has none. */
export type CsvTableRow = { line: number; row: Record<string, string>; problem?: undefined } | { line: number; row?: undefined; problem: string };

/**
 * A CSV text whose first line names its columns (each one of `columns`,
 * `required` among them): the records below, in file order, as column ->
 * cell (readCell, trimmed), or as a problem when a record has the wrong
 * number of fields. A text that cannot be read that way throws reject([why]).
 */
export function readCsvTable(text: string, columns: readonly string[], required: string, reject: (problems: string[]) => Error): CsvTableRow[] {
  let records: CsvRecord[];
  try {
    records = readCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw reject([err.message]);
    throw err;
  }
  if (records.length === 0) throw reject([`the file is empty; the first line must name the columns, e.g. ${columns.join(',')}`]);
  const header = records[0].fields.map((f) => f.trim().toLowerCase());
  const unknown = header.filter((h) => !columns.includes(h));
  if (unknown.length > 0 || !header.includes(required)) {
    throw reject([`line ${records[0].line}: the header must name the columns ${columns.join(',')} (${required} required)` + (unknown.length ? `; unknown: ${unknown.join(', ')}` : '')]);
  }
  return records.slice(1).map((record) =>
    record.fields.length !== header.length
      ? { line: record.line, problem: `line ${record.line}: ${record.fields.length} fields where the header has ${header.length}` }
      : { line: record.line, row: Object.fromEntries(header.map((h, i) => [h, readCell(record.fields[i]).trim()])) },
  );
}
