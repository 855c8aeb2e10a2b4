// Text from outside (a desk, the PBX, an admin's file) on its way to a
// terminal, a log or a store.

/**
 * C0 and C1 controls (escape sequences start with ESC or CSI) and DEL, plus
 * the Unicode bidirectional controls that reorder what a terminal shows.
 */
const CONTROL = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function hasControlCharacters(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/** The text without control characters: what a desk or a caller sent cannot clear a screen or retitle a terminal. */
export function printable(text: string): string {
  return text.replace(CONTROL, '');
}

/** What a desk reported about itself (firmware, board, address), as the host keeps it: printable and at most `max` characters. */
export function deviceText(text: string, max = 64): string {
  return printable(text).slice(0, max);
}

export interface TableOptions {
  /** Columns (0-based) aligned to the right, as numbers read best. */
  right?: number[];
}

/**
 * The one way the CLI and the benchmarks print a table: columns padded to
 * their widest cell, two spaces apart, every cell printable whoever wrote it
 * (a desk's birth, the PBX's call ids, rows stored before any check). A
 * null header prints the rows alone (a list of fields and values).
 */
export function formatTable(header: string[] | null, rows: string[][], options: TableOptions = {}): string {
  const lines = [...(header ? [header] : []), ...rows.map((row) => row.map(printable))];
  const widths = lines[0]?.map((_, i) => Math.max(...lines.map((row) => row[i].length))) ?? [];
  const right = new Set(options.right);
  return lines.map((row) => row.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}
