import type { Db } from '../db.ts';
import { migrateService } from './store.ts';

export interface AuditEntry {
  timeMs: number;
  station: string;
  account: string;
  /** LookupStatus name: FOUND, NOT_FOUND, INVALID_NUMBER, RATE_LIMITED, DIRECTORY_UNAVAILABLE. */
  outcome: string;
  /** Where the number came from: KEYPAD or IVR. */
  source: string;
  callId: string;
  corr: string;
  /** Why, for outcomes other than FOUND (e.g. the backend's error); never customer data. */
  detail: string;
}

export const AUDIT_COLUMNS = ['timeMs', 'time', 'station', 'account', 'outcome', 'source', 'callId', 'corr', 'detail'];

/** Every account lookup, kept so data protection can tell who looked at which account when. */
export class AuditLog {
  private readonly insert;
  private readonly select;

  constructor(db: Db) {
    migrateService(db);
    this.insert = db.prepare(
      'INSERT INTO svc_audit (time_ms, station, account, outcome, source, call_id, corr, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.select = db.prepare(
      'SELECT time_ms AS timeMs, station, account, outcome, source, call_id AS callId, corr, detail FROM svc_audit ' +
        'WHERE time_ms >= ? ORDER BY time_ms, id LIMIT ?',
    );
  }

  record(e: AuditEntry): void {
    this.insert.run(e.timeMs, e.station, e.account, e.outcome, e.source, e.callId, e.corr, e.detail);
  }

  list(sinceMs = 0, limit = 1_000_000): AuditEntry[] {
    return this.select.all(sinceMs, limit) as AuditEntry[];
  }
}
