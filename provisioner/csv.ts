// The one CSV writer of the CLI (exports, secrets files, the demo directory).
// A spreadsheet runs a cell that starts with = + - @ (and, in some, with a
// tab or CR before one) as a formula, e.g. =HYPERLINK(...) sending the row to
// a stranger's server; desks, the PBX and admins choose such cells.
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
