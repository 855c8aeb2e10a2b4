import { Readable } from 'node:stream';
import { CsvError, streamCsv } from '../csv.ts';
import type { Db } from '../db.ts';
import { accountProblem, type AccountRule } from './accounts.ts';
import { migrateService } from './store.ts';

export const ACCOUNT_COLUMNS = ['account', 'name', 'street', 'place', 'open_items', 'open_cents'] as const;
type Column = (typeof ACCOUNT_COLUMNS)[number];

export interface ImportProblem {
  /** Line in the file (the header is line 1), as `station import` counts. */
  line: number;
  column: string;
  problem: string;
}

export class AccountImportError extends Error {
  constructor(
    /** The first problems (at most KEPT_PROBLEMS). */
    readonly problems: ImportProblem[],
    /** How many there were in all. */
    readonly total = problems.length,
  ) {
    super(problems.map((p) => `line ${p.line}, column ${p.column}: ${p.problem}`).join('\n'));
    this.name = 'AccountImportError';
  }
}

const MAX_TEXT = 80;
/** A file with a problem in every row still needs only this many kept to report it. */
const KEPT_PROBLEMS = 100;
/** No row of the format comes near this; a longer one is an error, not a reason to buffer. */
const MAX_ROW_BYTES = 4096;
/** Rows staged per transaction of the temporary table. */
const STAGE_BATCH = 10_000;

/**
 * Validates a CSV directory file as it streams in and writes it in one
 * transaction, or writes nothing and throws AccountImportError naming each
 * bad cell by its line in the file (the header is line 1). With
 * `replace`, the file becomes the whole directory; otherwise its rows are
 * added or updated. Memory stays flat whatever the size: checked rows wait
 * in a temporary table (SQLite's temp file, not the data file, so the
 * running host can go on writing), and only a file without problems is
 * copied into the directory, in one short transaction.
 */
export async function importAccounts(db: Db, input: Readable | string, rule: AccountRule, replace: boolean): Promise<{ imported: number }> {
  migrateService(db);
  // The staging table's pages beyond a small cache go to its temp file, not to memory.
  db.pragma('temp.cache_size = -2000');
  db.exec(`CREATE TEMP TABLE import_account (account TEXT PRIMARY KEY, line INTEGER NOT NULL, name TEXT NOT NULL, street TEXT NOT NULL,
           place TEXT NOT NULL, open_items INTEGER NOT NULL, open_cents INTEGER NOT NULL)`);
  try {
    const staged = await stage(db, typeof input === 'string' ? Readable.from([input]) : input, rule);
    db.transaction(() => {
      if (replace) db.prepare('DELETE FROM svc_account').run();
      db.prepare(
        'INSERT INTO svc_account (account, name, street, place, open_items, open_cents) ' +
          'SELECT account, name, street, place, open_items, open_cents FROM temp.import_account WHERE true ' +
          'ON CONFLICT (account) DO UPDATE SET name = excluded.name, street = excluded.street, place = excluded.place, ' +
          'open_items = excluded.open_items, open_cents = excluded.open_cents',
      ).run();
    })();
    return { imported: staged };
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.exec('DROP TABLE temp.import_account');
  }
}

/** Checks every row and stages the ones with a usable account; throws AccountImportError if any row has a problem. */
async function stage(db: Db, input: Readable, rule: AccountRule): Promise<number> {
  const insert = db.prepare(
    'INSERT INTO temp.import_account (account, line, name, street, place, open_items, open_cents) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account) DO NOTHING',
  );
  const firstLine = db.prepare('SELECT line FROM temp.import_account WHERE account = ?').pluck();
  const problems: ImportProblem[] = [];
  let total = 0;
  const problem = (p: ImportProblem) => {
    total++;
    if (problems.length < KEPT_PROBLEMS) problems.push(p);
  };
  let index: Record<Column, number> | null = null;
  let width = 0;
  let rows = 0;
  let records = 0;
  db.exec('BEGIN');
  try {
    for await (const { line, fields: record } of streamCsv(input, MAX_ROW_BYTES)) {
      records++;
      if (!index) {
        const header = record.map((f) => f.trim().toLowerCase());
        const missing = ACCOUNT_COLUMNS.filter((c) => !header.includes(c));
        if (missing.length > 0) {
          throw new AccountImportError(missing.map((c) => ({ line, column: c, problem: `header lacks column "${c}" (need ${ACCOUNT_COLUMNS.join(',')})` })));
        }
        index = Object.fromEntries(ACCOUNT_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<Column, number>;
        width = header.length;
        continue;
      }
      const cell = (c: Column) => (record[index![c]] ?? '').trim();
      const before = total;
      if (record.length !== width) problem({ line, column: '-', problem: `has ${record.length} fields, the header has ${width}` });
      const account = cell('account');
      const accountIssue = accountProblem(account, rule);
      if (accountIssue) problem({ line, column: 'account', problem: accountIssue });
      for (const c of ['name', 'street', 'place'] as const) {
        if (c === 'name' && cell(c) === '') problem({ line, column: c, problem: 'is empty' });
        if (cell(c).length > MAX_TEXT) problem({ line, column: c, problem: `is longer than ${MAX_TEXT} characters` });
      }
      const integer = (c: 'open_items' | 'open_cents', min: number) => {
        const text = cell(c) || '0';
        if (!/^-?[0-9]+$/.test(text) || Number(text) < min || Math.abs(Number(text)) > 2_000_000_000) {
          problem({ line, column: c, problem: min === 0 ? 'must be a whole number >= 0' : 'must be a whole number of cents' });
        }
        return Number(text);
      };
      const items = integer('open_items', 0);
      const cents = integer('open_cents', -Infinity);
      if (accountIssue) continue;
      // Staged even with other problems, so a later repeat of it is named too.
      if (insert.run(account, line, cell('name'), cell('street'), cell('place'), items, cents).changes === 0) {
        problem({ line, column: 'account', problem: `repeats line ${firstLine.get(account)}` });
      } else if (total === before) rows++;
      if (records % STAGE_BATCH === 0) {
        db.exec('COMMIT');
        db.exec('BEGIN');
      }
    }
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    problem({ line: err.line, column: '-', problem: err.problem });
  }
  db.exec('COMMIT');
  if (!index && total === 0) problem({ line: 1, column: '-', problem: 'the file is empty; expected a header line' });
  if (total > 0) throw new AccountImportError(problems, total);
  return rows;
}
