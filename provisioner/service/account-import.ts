import type { Db } from '../db.ts';
import { accountProblem, type AccountRule } from './accounts.ts';
import { CsvSyntaxError, parseCsv } from './csv.ts';
import { migrateService } from './store.ts';

export const ACCOUNT_COLUMNS = ['account', 'name', 'street', 'place', 'open_items', 'open_cents'] as const;

export interface ImportProblem {
  /** Line in the file (the header is line 1), as `station import` counts. */
  line: number;
  column: string;
  problem: string;
}

export class AccountImportError extends Error {
  constructor(readonly problems: ImportProblem[]) {
    super(problems.map((p) => `line ${p.line}, column ${p.column}: ${p.problem}`).join('\n'));
    this.name = 'AccountImportError';
  }
}

const MAX_TEXT = 80;

/**
 * Validates a whole CSV directory file and writes it in one transaction, or
 * writes nothing and throws AccountImportError listing each bad cell by its
 * line in the file (the header is line 1). With `replace`, the
 * file becomes the whole directory; otherwise its rows are added or updated.
 */
export function importAccounts(db: Db, csvText: string, rule: AccountRule, replace: boolean): { imported: number } {
  migrateService(db);
  let records;
  try {
    records = parseCsv(csvText);
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    throw new AccountImportError([{ line: err.line, column: '-', problem: err.problem }]);
  }
  if (records.length === 0) throw new AccountImportError([{ line: 1, column: '-', problem: 'the file is empty; expected a header line' }]);
  const header = records[0].fields.map((f) => f.trim().toLowerCase());
  const missing = ACCOUNT_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new AccountImportError(missing.map((c) => ({ line: records[0].line, column: c, problem: `header lacks column "${c}" (need ${ACCOUNT_COLUMNS.join(',')})` })));
  }
  const index = Object.fromEntries(ACCOUNT_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof ACCOUNT_COLUMNS)[number], number>;
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  const rows = records.slice(1).map((rec) => {
    const line = rec.line;
    const cell = (c: (typeof ACCOUNT_COLUMNS)[number]) => (rec.fields[index[c]] ?? '').trim();
    if (rec.fields.length !== header.length) problems.push({ line, column: '-', problem: `has ${rec.fields.length} fields, the header has ${header.length}` });
    const account = cell('account');
    const accountIssue = accountProblem(account, rule);
    if (accountIssue) problems.push({ line, column: 'account', problem: accountIssue });
    else if (seen.has(account)) problems.push({ line, column: 'account', problem: `repeats line ${seen.get(account)}` });
    seen.set(account, line);
    for (const c of ['name', 'street', 'place'] as const) {
      if (c === 'name' && cell(c) === '') problems.push({ line, column: c, problem: 'is empty' });
      if (cell(c).length > MAX_TEXT) problems.push({ line, column: c, problem: `is longer than ${MAX_TEXT} characters` });
    }
    const integer = (c: 'open_items' | 'open_cents', min: number) => {
      const text = cell(c) || '0';
      if (!/^-?[0-9]+$/.test(text) || Number(text) < min || Math.abs(Number(text)) > 2_000_000_000) {
        problems.push({ line, column: c, problem: min === 0 ? 'must be a whole number >= 0' : 'must be a whole number of cents' });
      }
      return Number(text);
    };
    return [account, cell('name'), cell('street'), cell('place'), integer('open_items', 0), integer('open_cents', -Infinity)] as const;
  });
  if (problems.length > 0) throw new AccountImportError(problems);
  const insert = db.prepare(
    'INSERT INTO svc_account (account, name, street, place, open_items, open_cents) VALUES (?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (account) DO UPDATE SET name = excluded.name, street = excluded.street, place = excluded.place, ' +
      'open_items = excluded.open_items, open_cents = excluded.open_cents',
  );
  db.transaction(() => {
    if (replace) db.prepare('DELETE FROM svc_account').run();
    for (const r of rows) insert.run(...r);
  })();
  return { imported: rows.length };
}
