import { ACTION_COLUMNS, ActionStore, type ActionRow } from '../service/actions.ts';
import { listOptions, listOrExport, type ListArgs, type RecordListing } from '../options/listing.ts';
import { defineCommand } from './command.ts';

const TICKET_LISTING: RecordListing<ActionRow> = {
  load: (db, sinceMs) => new ActionStore(db, false).list(sinceMs),
  timeOf: (a) => a.storedMs,
  exportColumns: ACTION_COLUMNS,
  tableHeader: ['REF', 'KIND', 'TIME', 'STATION', 'CALL', 'ACCOUNT', 'DELIVERY'],
  tableRow: (r) => [r.ref, r.kind, r.time, r.station, r.callId, r.account, r.delivery || '-'],
  none: 'No tickets, letters or forwards',
};

export default defineCommand<ListArgs>({
  command: 'tickets <action>',
  describe: 'Show or export the tickets, letters and forwards agents created during wrap-up',
  builder: listOptions,
  handler: (args, ctx) => listOrExport(TICKET_LISTING, args, ctx),
});
