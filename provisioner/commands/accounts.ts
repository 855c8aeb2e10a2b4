import { createReadStream, openSync } from 'node:fs';
import type { Argv } from 'yargs';
import { openDataDir } from '../data-dir.ts';
import { openDb } from '../db.ts';
import { UserError } from '../../lib/user-error.ts';
import { ACCOUNT_COLUMNS, AccountImportError, importAccounts } from '../service/account-import.ts';
import { DEFAULT_ACCOUNT_RULE, type AccountRule } from '../service/accounts.ts';
import { defineCommand } from './command.ts';

interface AccountsArgs {
  action: 'import';
  file: string;
  replace: boolean;
  accountDigits: number;
  accountCheck: AccountRule['check'];
}

/** How many problems to print before summing up the rest. */
const SHOWN = 20;

export default defineCommand<AccountsArgs>({
  command: 'accounts <action> <file>',
  describe: `Load the account directory from CSV (columns ${ACCOUNT_COLUMNS.join(',')}); all rows or none`,
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['import'], describe: 'What to do' })
      .positional('file', { type: 'string', describe: 'CSV file with a header line' })
      .option('replace', { type: 'boolean', default: false, describe: 'Make the file the whole directory (drop accounts not in it)' })
      .option('account-digits', { type: 'number', default: DEFAULT_ACCOUNT_RULE.digits, describe: 'Length of a contract account number' })
      .option('account-check', { choices: ['none', 'luhn'], default: DEFAULT_ACCOUNT_RULE.check, describe: 'Check-digit rule for account numbers' }),
  handler: async (args, ctx) => {
    let fd: number;
    try {
      fd = openSync(args.file, 'r');
    } catch (err) {
      throw new UserError(`cannot read ${args.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check the path');
    }
    const db = openDb(openDataDir(ctx));
    try {
      const { imported } = await importAccounts(db, createReadStream('', { fd, encoding: 'utf8' }), { digits: args.accountDigits, check: args.accountCheck }, args.replace);
      if (args.json) ctx.output.out(JSON.stringify({ imported }));
      else ctx.output.out(`${imported} accounts imported from ${args.file}${args.replace ? ' (directory replaced)' : ''}`);
    } catch (err) {
      if (!(err instanceof AccountImportError)) throw err;
      const lines = err.problems.slice(0, SHOWN).map((p) => `  line ${p.line}, column ${p.column}: ${p.problem}`);
      if (err.total > SHOWN) lines.push(`  … and ${err.total - SHOWN} more`);
      throw new UserError(`${args.file} has ${err.total} problem(s); nothing was imported:\n${lines.join('\n')}`, 'correct the lines named and import the file again');
    } finally {
      db.close();
    }
  },
});
