// The station registry: which desks exist, their areas and boards, their
// broker secrets (hashed) and their last reported presence. Also the host's
// own service accounts. Tables are prefixed `station_` in the shared db.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stationIdProblem } from '../../protocol/topics.ts';
import type { Statement } from 'better-sqlite3';
import { migrate, openDb, type Db } from '../db.ts';
import { UserError } from '../../lib/user-error.ts';
import { boardNames } from '../../hardware/board.ts';
import { hashSecret, needsRehash, newSecret, verifySecret } from './secret.ts';
import { writePrivateFile } from './private-file.ts';
import { AREAS, RESERVED_PREFIX, SCHEMA, SERVICE_ACCOUNTS, STATION_COLUMNS, toStation, type Account, type IssuedSecret, type NewStation, type PresenceUpdate, type RegistryChange, type ServiceName, type Station, type StationRow } from './records.ts';
import { brokerAccounts, type BrokerAccounts } from '../broker/external.ts';

export {
  AREAS,
  parseAreas,
  SERVICE_ACCOUNTS,
  type Account,
  type AreaCode,
  type IssuedSecret,
  type NewStation,
  type PresenceUpdate,
  type RegistryChange,
  type Role,
  type ServiceName,
  type Station,
} from './records.ts';

/** Where each kind of account keeps its secret hash. */
const ACCOUNT_TABLES = { station: { name: 'station_stations', key: 'id' }, service: { name: 'station_services', key: 'name' } } as const;
/** How often a registry with listeners looks for credential changes made by other processes. */
const CHANGE_POLL_MS = 250;

export class Registry {
  private readonly listeners = new Set<(change: RegistryChange) => void>();
  private lastChange: number;
  private poller: NodeJS.Timeout | null = null;
  private boards: string[] | null = null;
  private readonly serviceLookups = new Map<ServiceName, Promise<{ username: string; password: string }>>();
  private siteBroker: Promise<BrokerAccounts | null> | null = null;
  /** Prepared once: a connect storm asks for thousands of stations, and preparing was 2 % of the host's time (bench scale profile). */
  private readonly statements = new Map<string, Statement>();

  constructor(
    readonly db: Db,
    readonly dir: string,
  ) {
    migrate(db, 'station', SCHEMA);
    this.lastChange = this.maxChangeSeq();
  }

  /** Why this station cannot be added (as one readable sentence), or '' if it can. */
  newStationProblem(s: NewStation): string {
    const idProblem = stationIdProblem(s.id);
    if (idProblem) return idProblem;
    if (s.id.toLowerCase().startsWith(RESERVED_PREFIX)) return `station id "${s.id}" starts with "${RESERVED_PREFIX}", which is reserved for the host's own accounts`;
    for (const area of s.areas ?? []) {
      if (!(AREAS as readonly string[]).includes(area)) return `unknown area "${area}" (known: ${AREAS.join(', ')})`;
    }
    if (s.board) {
      this.boards ??= boardNames();
      if (!this.boards.includes(s.board)) return `unknown board "${s.board}" (known: ${this.boards.join(', ')})`;
    }
    if (this.getStation(s.id)) return `station "${s.id}" already exists`;
    return '';
  }

  async addStation(s: NewStation, inTransaction?: (issued: IssuedSecret[]) => void): Promise<IssuedSecret> {
    const [issued] = await this.addStations([s], inTransaction);
    return issued;
  }

  /**
   * Adds stations in one transaction with a fresh secret each. Throws
   * UserError before writing anything if one is unusable. `inTransaction`
   * runs before the commit (e.g. staging a config file); if it throws,
   * nothing is stored.
   */
  async addStations(list: NewStation[], inTransaction?: (issued: IssuedSecret[]) => void): Promise<IssuedSecret[]> {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      const problem = seen.has(s.id) ? `station "${s.id}" appears twice` : this.newStationProblem(s);
      if (problem) throw new UserError(list.length > 1 ? `station ${i + 1} of ${list.length}: ${problem}` : problem, 'correct it and run the command again; nothing was added');
      seen.add(s.id);
    });
    const issued = list.map((s) => ({ id: s.id, secret: newSecret() }));
    const hashes = issued.map((i) => hashSecret(i.secret));
    // the site's own broker first: a desk the registry knows can always log in
    const broker = await this.brokerAccounts();
    await broker?.addStations(issued);
    const insert = this.statement(
      'INSERT INTO station_stations (id, name, areas, board, secret_hash, created_ms) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const now = Date.now();
    try {
      this.db.transaction(() => {
        list.forEach((s, i) => {
          insert.run(s.id, s.name ?? '', (s.areas ?? []).join(','), s.board ?? '', hashes[i], now);
          this.logChange(s.id, 'added');
        });
        inTransaction?.(issued);
      })();
    } catch (err) {
      await broker?.removeStations(issued.map((i) => i.id));
      // another process added one of these ids while the secrets were being hashed
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new UserError('a station with one of these ids was added meanwhile', 'check `deskphone station list` and run the command again; nothing was added');
      }
      throw err;
    }
    this.deliverChanges();
    return issued;
  }

  getStation(id: string): Station | null {
    const row = this.statement(`SELECT ${STATION_COLUMNS} FROM station_stations WHERE id = ?`).get(id) as StationRow | undefined;
    return row ? toStation(row) : null;
  }

  listStations(): Station[] {
    return (this.statement(`SELECT ${STATION_COLUMNS} FROM station_stations ORDER BY id`).all() as StationRow[]).map(toStation);
  }

  /** Removes a station; a broker watching this registry drops its session at once. */
  removeStation(id: string): void {
    this.db.transaction(() => {
      const { changes } = this.statement('DELETE FROM station_stations WHERE id = ?').run(id);
      if (changes === 0) throw unknownStation(id);
      this.logChange(id, 'removed');
    })();
    this.deliverChanges();
  }

  /** Issues a new secret; the old one stops working at once, also for a live session. */
  async rotateSecret(id: string, inTransaction?: (issued: IssuedSecret) => void): Promise<string> {
    if (!this.getStation(id)) throw unknownStation(id);
    const secret = newSecret();
    const hash = hashSecret(secret);
    await (await this.brokerAccounts())?.setSecret(id, secret);
    this.db.transaction(() => {
      const { changes } = this.statement('UPDATE station_stations SET secret_hash = ? WHERE id = ?').run(hash, id);
      if (changes === 0) throw unknownStation(id);
      this.logChange(id, 'secret');
      inTransaction?.({ id, secret });
    })();
    this.deliverChanges();
    return secret;
  }

  async verifyStation(id: string, secret: string): Promise<boolean> {
    const row = this.statement('SELECT secret_hash FROM station_stations WHERE id = ?').get(id) as { secret_hash: string } | undefined;
    return row ? this.verifyAgainst(ACCOUNT_TABLES.station, id, secret, row.secret_hash) : false;
  }

  /** Checks broker credentials: a station (username = station id) or a service account. */
  async authenticate(username: string, secret: string): Promise<Account | null> {
    if (Object.hasOwn(SERVICE_ACCOUNTS, username)) {
      const name = username as ServiceName;
      const row = this.statement('SELECT secret_hash FROM station_services WHERE name = ?').get(name) as { secret_hash: string } | undefined;
      const ok = row ? await this.verifyAgainst(ACCOUNT_TABLES.service, name, secret, row.secret_hash) : false;
      return ok ? { username, role: SERVICE_ACCOUNTS[name] } : null;
    }
    return (await this.verifyStation(username, secret)) ? { username, role: 'station' } : null;
  }

  /**
   * The password of one of the host's own accounts, kept in
   * `<data dir>/secrets/<name>.secret` (0600) so `deskphone up` and the admin
   * tools can read it. Created on first use; re-issued if the file is gone.
   */
  serviceCredentials(name: ServiceName): Promise<{ username: string; password: string }> {
    // components of one process asking at once must not issue two secrets, the second revoking the first
    let pending = this.serviceLookups.get(name);
    if (!pending) {
      pending = this.loadServiceCredentials(name).finally(() => this.serviceLookups.delete(name));
      this.serviceLookups.set(name, pending);
    }
    return pending;
  }

  private async loadServiceCredentials(name: ServiceName): Promise<{ username: string; password: string }> {
    if (!Object.hasOwn(SERVICE_ACCOUNTS, name)) throw new Error(`no service account "${name}"`);
    const file = join(this.dir, 'secrets', `${name}.secret`);
    const row = this.statement('SELECT secret_hash FROM station_services WHERE name = ?').get(name) as { secret_hash: string } | undefined;
    if (row) {
      const existing = readSecretFile(file);
      if (existing && (await this.verifyAgainst(ACCOUNT_TABLES.service, name, existing, row.secret_hash))) return { username: name, password: existing };
    }
    return this.reissueServiceCredentials(name);
  }

  /** A new secret for one of the host's own accounts (the old one stops working), e.g. for a newly provisioned broker. */
  async reissueServiceCredentials(name: ServiceName): Promise<{ username: string; password: string }> {
    const file = join(this.dir, 'secrets', `${name}.secret`);
    const secret = newSecret();
    const hash = hashSecret(secret);
    await (await this.brokerAccounts())?.setService(name, SERVICE_ACCOUNTS[name], secret);
    this.db.transaction(() => {
      this.statement('INSERT INTO station_services (name, secret_hash) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET secret_hash = excluded.secret_hash').run(name, hash);
      this.logChange(name, 'secret');
      writePrivateFile(file, secret + '\n');
    })();
    this.deliverChanges();
    return { username: name, password: secret };
  }

  /**
   * Records a birth (online) or a death (last will). Returns false when the
   * update was ignored: unknown station, or a will from a session older than
   * the one the registry already knows (it arrived after a newer birth).
   */
  setPresence(id: string, p: PresenceUpdate): boolean {
    const current = this.statement('SELECT session FROM station_stations WHERE id = ?').get(id) as { session: number } | undefined;
    if (!current) return false;
    if (!p.online && p.session < current.session) return false;
    this.db
      .prepare(
        `UPDATE station_stations SET online = ?, session = ?, last_seen_ms = ?,
           firmware = COALESCE(?, firmware), address = COALESCE(?, address), reported_board = COALESCE(?, reported_board)
         WHERE id = ?`,
      )
      .run(p.online ? 1 : 0, p.session, p.lastSeen, p.firmware ?? null, p.address ?? null, p.board ?? null, id);
    this.emit({ kind: 'presence', id });
    return true;
  }

  /**
   * Calls `listener` on every change to stations and credentials, including
   * those made by other processes on the same data directory (polled).
   * Presence changes are reported only from this process. Returns an unsubscribe.
   */
  onChange(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    if (!this.poller) {
      this.poller = setInterval(() => this.deliverChanges(), CHANGE_POLL_MS);
      this.poller.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopPolling();
    };
  }

  private statement(sql: string): Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) this.statements.set(sql, (prepared = this.db.prepare(sql)));
    return prepared;
  }

  /**
   * The site's external broker (`deskphone broker external`), provisioned
   * along with every secret the registry issues; null for the embedded one.
   */
  brokerAccounts(): Promise<BrokerAccounts | null> {
    this.siteBroker ??= Promise.resolve().then(() => brokerAccounts(this.dir));
    return this.siteBroker;
  }

  close(): void {
    void this.siteBroker?.then((b) => b?.close());
    this.stopPolling();
    this.listeners.clear();
    this.db.close();
  }

  private stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  }

  private async verifyAgainst(table: (typeof ACCOUNT_TABLES)[keyof typeof ACCOUNT_TABLES], account: string, secret: string, storedHash: string): Promise<boolean> {
    const ok = await verifySecret(secret, storedHash);
    if (ok && needsRehash(storedHash)) {
      // Same secret, cheaper check from now on; a rotation meanwhile (another hash stored) wins.
      this.statement(`UPDATE ${table.name} SET secret_hash = ? WHERE ${table.key} = ? AND secret_hash = ?`).run(hashSecret(secret), account, storedHash);
    }
    return ok;
  }

  private logChange(account: string, kind: RegistryChange['kind']): void {
    this.statement('INSERT INTO station_changes (account, kind) VALUES (?, ?)').run(account, kind);
  }

  private maxChangeSeq(): number {
    return (this.statement('SELECT COALESCE(MAX(seq), 0) AS seq FROM station_changes').get() as { seq: number }).seq;
  }

  private deliverChanges(): void {
    if (!this.db.open) return;
    const rows = this.db
      .prepare('SELECT seq, account, kind FROM station_changes WHERE seq > ? ORDER BY seq')
      .all(this.lastChange) as { seq: number; account: string; kind: RegistryChange['kind'] }[];
    for (const row of rows) {
      this.lastChange = row.seq;
      this.emit({ kind: row.kind, id: row.account });
    }
  }

  private emit(change: RegistryChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function unknownStation(id: string): UserError {
  return new UserError(`no station "${id}"`, 'check the id with `deskphone station list`');
}

function readSecretFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** Opens the registry in a data directory (creating db and tables as needed). */
export function openRegistry(dir: string): Registry {
  return new Registry(openDb(dir), dir);
}
