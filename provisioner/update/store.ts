// What `deskphone update` keeps in the shared SQLite file: each run (the image
// it sends) and each station's place in it, written as it changes, so a host
// restart resumes where the desks stand and `station list` / `station show`
// and the dashboard read a station's update history from the same rows.
import { migrate, type Db } from '../db.ts';

export const SCHEMA = [
  `CREATE TABLE update_runs (
     id TEXT PRIMARY KEY,
     board TEXT NOT NULL,
     version TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     crc32 INTEGER NOT NULL,
     sha256 TEXT NOT NULL,
     started_ms INTEGER NOT NULL,
     finished_ms INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE update_targets (
     run_id TEXT NOT NULL REFERENCES update_runs(id),
     station TEXT NOT NULL,
     canary INTEGER NOT NULL DEFAULT 0,
     state TEXT NOT NULL,
     offset INTEGER NOT NULL DEFAULT 0,
     from_version TEXT NOT NULL DEFAULT '',
     detail TEXT NOT NULL DEFAULT '',
     updated_ms INTEGER NOT NULL,
     PRIMARY KEY (run_id, station)
   );
   CREATE INDEX update_targets_station ON update_targets (station, updated_ms);`,
];

/**
 * Where a station stands in a run. The first group is still in progress
 * (resumed by the next run of the same image), the second is final.
 */
export const ACTIVE_STATES = ['waiting', 'offered', 'busy', 'sending', 'rebooting', 'verified', 'probation'] as const;
export const FINAL_STATES = ['updated', 'current', 'rolled-back', 'failed', 'offline', 'stopped'] as const;
export type TargetState = (typeof ACTIVE_STATES)[number] | (typeof FINAL_STATES)[number];

export function isFinal(state: TargetState): boolean {
  return (FINAL_STATES as readonly string[]).includes(state);
}

export interface RunRecord {
  id: string;
  board: string;
  version: string;
  bytes: number;
  crc32: number;
  sha256: string;
  startedMs: number;
  finishedMs: number;
}

export interface TargetRecord {
  station: string;
  canary: boolean;
  state: TargetState;
  /** Bytes the desk has acknowledged. */
  offset: number;
  fromVersion: string;
  /** Why it failed, rolled back or waits (never a secret: desk text is kept printable and short). */
  detail: string;
  updatedMs: number;
}

/** One station's part in one run, with the run's image: a line of its update history. */
export interface HistoryEntry extends TargetRecord {
  runId: string;
  version: string;
  bytes: number;
}

interface TargetRow {
  run_id: string;
  station: string;
  canary: number;
  state: TargetState;
  offset: number;
  from_version: string;
  detail: string;
  updated_ms: number;
  version: string;
  bytes: number;
}

function toTarget(row: TargetRow): TargetRecord {
  return { station: row.station, canary: row.canary === 1, state: row.state, offset: row.offset, fromVersion: row.from_version, detail: row.detail, updatedMs: row.updated_ms };
}

function toHistory(row: TargetRow): HistoryEntry {
  return { ...toTarget(row), runId: row.run_id, version: row.version, bytes: row.bytes };
}

const RUN_COLUMNS = 'id, board, version, bytes, crc32, sha256, started_ms AS startedMs, finished_ms AS finishedMs';
const HISTORY_SELECT = `SELECT t.*, r.version, r.bytes FROM update_targets t JOIN update_runs r ON r.id = t.run_id`;

export class UpdateStore {
  constructor(readonly db: Db) {
    migrate(db, 'update', SCHEMA);
  }

  /** The unfinished run of this image, which a new `deskphone update` with it resumes; null if none. */
  openRun(sha256: string): RunRecord | null {
    return (this.db.prepare(`SELECT ${RUN_COLUMNS} FROM update_runs WHERE sha256 = ? AND finished_ms = 0 ORDER BY started_ms DESC LIMIT 1`).get(sha256) as RunRecord | undefined) ?? null;
  }

  /** Unfinished runs of other images: their desks may hold a half-received other image. */
  otherOpenRuns(sha256: string): RunRecord[] {
    return this.db.prepare(`SELECT ${RUN_COLUMNS} FROM update_runs WHERE sha256 != ? AND finished_ms = 0`).all(sha256) as RunRecord[];
  }

  /**
   * A run and its targets in one transaction: all of them or nothing. Open
   * runs of other images end here: their unfinished desks are stopped (a desk
   * drops a half-received other image when offered this one).
   */
  createRun(run: RunRecord, targets: TargetRecord[]): void {
    this.db.transaction(() => {
      for (const other of this.otherOpenRuns(run.sha256)) {
        const open = this.targets(other.id).filter((t) => !isFinal(t.state));
        for (const t of open) this.saveTarget(other.id, { ...t, state: 'stopped', detail: `superseded by the update to ${run.version}`, updatedMs: run.startedMs });
        this.finishRun(other.id, run.startedMs);
      }
      this.db
        .prepare('INSERT INTO update_runs (id, board, version, bytes, crc32, sha256, started_ms, finished_ms) VALUES (?, ?, ?, ?, ?, ?, ?, 0)')
        .run(run.id, run.board, run.version, run.bytes, run.crc32, run.sha256, run.startedMs);
      for (const t of targets) this.saveTarget(run.id, t);
    })();
  }

  /** Adds stations to an open run (a resumed run given more stations). */
  addTargets(runId: string, targets: TargetRecord[]): void {
    this.db.transaction(() => targets.forEach((t) => this.saveTarget(runId, t)))();
  }

  saveTarget(runId: string, t: TargetRecord): void {
    this.db
      .prepare(
        `INSERT INTO update_targets (run_id, station, canary, state, offset, from_version, detail, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(run_id, station) DO UPDATE SET canary = excluded.canary, state = excluded.state, offset = excluded.offset,
           from_version = excluded.from_version, detail = excluded.detail, updated_ms = excluded.updated_ms`,
      )
      .run(runId, t.station, t.canary ? 1 : 0, t.state, t.offset, t.fromVersion, t.detail, t.updatedMs);
  }

  targets(runId: string): TargetRecord[] {
    return (this.db.prepare(`${HISTORY_SELECT} WHERE t.run_id = ? ORDER BY t.station`).all(runId) as TargetRow[]).map(toTarget);
  }

  finishRun(runId: string, now: number): void {
    this.db.prepare('UPDATE update_runs SET finished_ms = ? WHERE id = ?').run(now, runId);
  }

  /** A station's update history, newest first. */
  history(station: string, limit = 20): HistoryEntry[] {
    return (this.db.prepare(`${HISTORY_SELECT} WHERE t.station = ? ORDER BY t.updated_ms DESC LIMIT ?`).all(station, limit) as TargetRow[]).map(toHistory);
  }

  /** Each station's latest update, by station id. */
  latest(): Map<string, HistoryEntry> {
    const rows = this.db
      .prepare(`${HISTORY_SELECT} WHERE t.updated_ms = (SELECT MAX(u.updated_ms) FROM update_targets u WHERE u.station = t.station) ORDER BY t.station`)
      .all() as TargetRow[];
    return new Map(rows.map((r) => [r.station, toHistory(r)]));
  }

  /** Targets changed after `sinceMs` (the dashboard polls this), with their runs' image. */
  changedSince(sinceMs: number): HistoryEntry[] {
    return (this.db.prepare(`${HISTORY_SELECT} WHERE t.updated_ms > ? ORDER BY t.updated_ms`).all(sinceMs) as TargetRow[]).map(toHistory);
  }
}
