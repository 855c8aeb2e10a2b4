import type { Argv } from 'yargs';
import { dataDir } from '../context.ts';
import { openDb } from '../db.ts';
import { ACTION_COLUMNS, ActionStore } from '../service/actions.ts';
import { exportRows, formatTable, listOptions, parseSince } from '../service/export.ts';
import { defineCommand } from './command.ts';

interface TicketsArgs {
  action: 'list' | 'export';
  since?: string;
  format: 'csv' | 'json';
  out?: string;
}

export default defineCommand<TicketsArgs>({
  command: 'tickets <action>',
  describe: 'Show or export the tickets, letters and forwards agents created during wrap-up',
  builder: (y: Argv) => listOptions(y.positional('action', { choices: ['list', 'export'], describe: 'list (table) or export (csv/json)' })),
  handler: (args, ctx) => {
    const db = openDb(dataDir(ctx.env));
    try {
      const rows = new ActionStore(db, false).list(parseSince(args.since, Date.now())).map((a) => ({ ...a, time: new Date(a.storedMs).toISOString() }));
      if (args.action === 'export') return exportRows(rows, ACTION_COLUMNS, args.format, args.out, ctx.output);
      if (args.json) return ctx.output.out(JSON.stringify(rows));
      if (rows.length === 0) return ctx.output.out(`No tickets, letters or forwards${args.since ? ' since ' + args.since : ''}.`);
      ctx.output.out(formatTable(['REF', 'KIND', 'TIME', 'STATION', 'CALL', 'ACCOUNT', 'DELIVERY'], rows.map((r) => [r.ref, r.kind, r.time, r.station, r.callId, r.account, r.delivery || '-'])));
    } finally {
      db.close();
    }
  },
});
