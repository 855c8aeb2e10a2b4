import type { Argv } from 'yargs';
import { dataDir } from '../context.ts';
import { openDb } from '../db.ts';
import { AUDIT_COLUMNS, AuditLog } from '../service/audit.ts';
import { exportRows, formatTable, listOptions, parseSince } from '../service/export.ts';
import { defineCommand } from './command.ts';

interface AuditArgs {
  action: 'list' | 'export';
  since?: string;
  format: 'csv' | 'json';
  out?: string;
}

export default defineCommand<AuditArgs>({
  command: 'audit <action>',
  describe: 'Show or export the account-lookup audit (who looked up which account, when, with what outcome)',
  builder: (y: Argv) => listOptions(y.positional('action', { choices: ['list', 'export'], describe: 'list (table) or export (csv/json)' })),
  handler: (args, ctx) => {
    const db = openDb(dataDir(ctx.env));
    try {
      const rows = new AuditLog(db).list(parseSince(args.since, Date.now())).map((e) => ({ ...e, time: new Date(e.timeMs).toISOString() }));
      if (args.action === 'export') return exportRows(rows, AUDIT_COLUMNS, args.format, args.out, ctx.output);
      if (args.json) return ctx.output.out(JSON.stringify(rows));
      if (rows.length === 0) return ctx.output.out(`No lookups audited${args.since ? ' since ' + args.since : ''}.`);
      ctx.output.out(formatTable(['TIME', 'STATION', 'ACCOUNT', 'OUTCOME', 'SOURCE', 'CALL'], rows.map((r) => [r.time, r.station, r.account, r.outcome, r.source, r.callId])));
    } finally {
      db.close();
    }
  },
});
