import { migrate, type Db } from '../db.ts';
import type { StationState } from './machine.ts';

/**
 * Schema of every svc_* table, one module so the migration steps stay in one
 * ordered list. Steps are only ever appended.
 */
export function migrateService(db: Db): void {
  migrate(db, 'station-service', [
    `CREATE TABLE svc_station (
       id TEXT PRIMARY KEY,
       state TEXT NOT NULL,
       deadline_ms INTEGER NOT NULL,
       updated_ms INTEGER NOT NULL)`,
    `CREATE TABLE svc_account (
       account TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       street TEXT NOT NULL,
       place TEXT NOT NULL,
       open_items INTEGER NOT NULL,
       open_cents INTEGER NOT NULL)`,
    `CREATE TABLE svc_audit (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       time_ms INTEGER NOT NULL,
       station TEXT NOT NULL,
       account TEXT NOT NULL,
       outcome TEXT NOT NULL,
       source TEXT NOT NULL,
       call_id TEXT NOT NULL,
       corr TEXT NOT NULL,
       detail TEXT NOT NULL)`,
    `CREATE INDEX svc_audit_time ON svc_audit (time_ms)`,
    `CREATE TABLE svc_action (
       station TEXT NOT NULL,
       key TEXT NOT NULL,
       kind TEXT NOT NULL,
       ref TEXT NOT NULL,
       call_id TEXT NOT NULL,
       account TEXT NOT NULL,
       created_ms INTEGER NOT NULL,
       stored_ms INTEGER NOT NULL,
       PRIMARY KEY (station, key))`,
    `CREATE INDEX svc_action_stored ON svc_action (stored_ms)`,
    `CREATE TABLE svc_ref_counter (prefix TEXT PRIMARY KEY, last INTEGER NOT NULL)`,
    `CREATE TABLE svc_outbox (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       ref TEXT NOT NULL UNIQUE,
       body TEXT NOT NULL,
       attempts INTEGER NOT NULL DEFAULT 0,
       next_ms INTEGER NOT NULL,
       last_error TEXT NOT NULL DEFAULT '',
       delivered_ms INTEGER NOT NULL DEFAULT 0,
       gave_up INTEGER NOT NULL DEFAULT 0)`,
  ]);
}

/**
 * Station states as JSON rows: the state is read whole and written whole, so a
 * column per field would only add a second place to keep in step with
 * StationState. The deadline has its own column for the restart query.
 */
export class StationStore {
  private readonly upsert;
  private readonly selectAll;

  constructor(private readonly db: Db) {
    migrateService(db);
    this.upsert = db.prepare(
      'INSERT INTO svc_station (id, state, deadline_ms, updated_ms) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET state = excluded.state, deadline_ms = excluded.deadline_ms, updated_ms = excluded.updated_ms',
    );
    this.selectAll = db.prepare('SELECT state FROM svc_station');
  }

  save(s: StationState, now: number): void {
    this.upsert.run(s.id, JSON.stringify(s), s.deadlineMs, now);
  }

  loadAll(): StationState[] {
    return (this.selectAll.all() as { state: string }[]).map((r) => JSON.parse(r.state) as StationState);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
