import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../lib/user-error.ts';

export type Db = Database.Database;

export const DB_FILE = 'deskphone.db';

/**
 * Opens (creating if needed) the one SQLite file in the data directory that
 * registry, station service, directory, actions and audit share. WAL lets the
 * CLI read while `deskphone up` writes; the busy timeout covers the short
 * moments when both write.
 */
export function openDb(dir: string): Db {
  let db: Db;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    db = new Database(join(dir, DB_FILE));
  } catch (err) {
    throw new UserError(
      `cannot open the data directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'set DESKPHONE_HOME to a directory you can write to (default: ./.deskphone)',
    );
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (module TEXT NOT NULL, step INTEGER NOT NULL, PRIMARY KEY (module, step))');
  return db;
}

/**
 * Applies a module's schema steps that this file has not seen yet, each in its
 * own transaction. Steps are only ever appended, never edited.
 */
export function migrate(db: Db, module: string, steps: string[]): void {
  const done = new Set(
    (db.prepare('SELECT step FROM schema_migrations WHERE module = ?').all(module) as { step: number }[]).map((r) => r.step),
  );
  steps.forEach((sql, step) => {
    if (done.has(step)) return;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (module, step) VALUES (?, ?)').run(module, step);
    })();
  });
}
