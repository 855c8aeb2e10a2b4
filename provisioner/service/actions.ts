import { REF_PREFIX } from '../../protocol/catalogue.ts';
import type { Db } from '../db.ts';
import { migrateService } from './store.ts';

export interface StoredAction {
  station: string;
  key: string;
  kind: string;
  ref: string;
  callId: string;
  account: string;
  createdMs: number;
  storedMs: number;
}

export interface ActionRow extends StoredAction {
  /** Ticket-system delivery: '' without a webhook, else pending, delivered or failed. */
  delivery: string;
}

export const ACTION_COLUMNS = ['ref', 'kind', 'station', 'callId', 'account', 'createdMs', 'storedMs', 'time', 'delivery', 'key'];


/**
 * What agents create during wrap-up, stored once per (station, key) so a device
 * retrying an unacknowledged action never creates a second ticket. The
 * webhook outbox row is written in the same transaction as the action, so a
 * crash cannot store a ticket and forget to deliver it.
 */
export class ActionStore {
  private readonly selectOne;
  private readonly insert;
  private readonly bumpCounter;
  private readonly enqueue;
  private readonly selectSince;

  constructor(
    db: Db,
    private readonly outboxEnabled: boolean,
  ) {
    migrateService(db);
    this.selectOne = db.prepare(
      'SELECT station, key, kind, ref, call_id AS callId, account, created_ms AS createdMs, stored_ms AS storedMs FROM svc_action WHERE station = ? AND key = ?',
    );
    this.insert = db.prepare(
      'INSERT INTO svc_action (station, key, kind, ref, call_id, account, created_ms, stored_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.bumpCounter = db.prepare(
      'INSERT INTO svc_ref_counter (prefix, last) VALUES (?, 1) ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last',
    );
    this.enqueue = db.prepare('INSERT INTO svc_outbox (ref, body, next_ms) VALUES (?, ?, ?)');
    this.selectSince = db.prepare(
      "SELECT a.station, a.key, a.kind, a.ref, a.call_id AS callId, a.account, a.created_ms AS createdMs, a.stored_ms AS storedMs, " +
        "CASE WHEN o.id IS NULL THEN '' WHEN o.delivered_ms > 0 THEN 'delivered' WHEN o.gave_up = 1 THEN 'failed' ELSE 'pending' END AS delivery " +
        'FROM svc_action a LEFT JOIN svc_outbox o ON o.ref = a.ref AND a.ref <> \'\' ' +
        "WHERE a.stored_ms >= ? AND a.kind <> 'READY' ORDER BY a.stored_ms, a.rowid",
    );
  }

  find(station: string, key: string): StoredAction | null {
    return (this.selectOne.get(station, key) as StoredAction | undefined) ?? null;
  }

  /** Stores a new action and returns it with its reference. Call inside the caller's transaction. */
  store(a: Omit<StoredAction, 'ref'>): StoredAction {
    const prefix = REF_PREFIX[a.kind];
    let ref = '';
    if (prefix) {
      const series = `${prefix}-${new Date(a.storedMs).getUTCFullYear()}`;
      const { last } = this.bumpCounter.get(series) as { last: number };
      ref = `${series}-${String(last).padStart(6, '0')}`;
    }
    const stored = { ...a, ref };
    this.insert.run(a.station, a.key, a.kind, ref, a.callId, a.account, a.createdMs, a.storedMs);
    if (ref && this.outboxEnabled) {
      const body = { ref, kind: a.kind, station: a.station, callId: a.callId, account: a.account, createdMs: a.createdMs, storedMs: a.storedMs };
      this.enqueue.run(ref, JSON.stringify(body), a.storedMs);
    }
    return stored;
  }

  list(sinceMs = 0): ActionRow[] {
    return this.selectSince.all(sinceMs) as ActionRow[];
  }
}
