import { AUDIT_COLUMNS, AuditLog, type AuditEntry } from '../service/audit.ts';
import { listOptions, listOrExport, type ListArgs, type RecordListing } from '../options/listing.ts';
import { defineCommand } from './command.ts';

const AUDIT_LISTING: RecordListing<AuditEntry> = {
  load: (db, sinceMs) => new AuditLog(db).list(sinceMs),
  timeOf: (e) => e.timeMs,
  exportColumns: AUDIT_COLUMNS,
  tableHeader: ['TIME', 'STATION', 'ACCOUNT', 'OUTCOME', 'SOURCE', 'CALL'],
  tableRow: (r) => [r.time, r.station, r.account, r.outcome, r.source, r.callId],
  none: 'No lookups audited',
};

export default defineCommand<ListArgs>({
  command: 'audit <action>',
  describe: 'Show or export the account-lookup audit (who looked up which account, when, with what outcome)',
  builder: listOptions,
  handler: (args, ctx) => listOrExport(AUDIT_LISTING, args, ctx),
});
