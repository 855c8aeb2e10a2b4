// What the station registry keeps (registry/index.ts): its records, their
// rows in the shared SQLite database, and the tables' schema.
import { AREA_CODES, type AreaCode } from '../../protocol/catalogue.ts';

export const AREAS = AREA_CODES;
export type { AreaCode };

/** The host's own MQTT accounts and what each may do (see broker/acl.ts). */
export const SERVICE_ACCOUNTS = { 'svc-host': 'host', 'svc-admin': 'admin' } as const;
export type ServiceName = keyof typeof SERVICE_ACCOUNTS;
export type Role = 'station' | (typeof SERVICE_ACCOUNTS)[ServiceName];

/** Station ids may not take this prefix, so a station can never pose as a service account. */
export const RESERVED_PREFIX = 'svc-';

export interface Station {
  id: string;
  name: string;
  areas: AreaCode[];
  /** Board profile the station was registered with. */
  board: string;
  online: boolean;
  /** Firmware version from the last birth; '' before the first. */
  firmware: string;
  /** Session counter from the last birth. */
  session: number;
  /** Last presence change (ms since epoch); 0 if never seen. */
  lastSeen: number;
  address: string;
  /** Board the device itself reported in its birth. */
  reportedBoard: string;
  createdAt: number;
}

export interface NewStation {
  id: string;
  name?: string;
  areas?: string[];
  board?: string;
}

export interface IssuedSecret {
  id: string;
  secret: string;
}

export interface PresenceUpdate {
  online: boolean;
  session: number;
  lastSeen: number;
  firmware?: string;
  address?: string;
  board?: string;
}

export interface Account {
  username: string;
  role: Role;
}

export type RegistryChange = { kind: 'added' | 'removed' | 'secret' | 'presence'; id: string };

export const SCHEMA = [
  `CREATE TABLE station_stations (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL DEFAULT '',
     areas TEXT NOT NULL DEFAULT '',
     board TEXT NOT NULL DEFAULT '',
     secret_hash TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     online INTEGER NOT NULL DEFAULT 0,
     firmware TEXT NOT NULL DEFAULT '',
     session INTEGER NOT NULL DEFAULT 0,
     last_seen_ms INTEGER NOT NULL DEFAULT 0,
     address TEXT NOT NULL DEFAULT '',
     reported_board TEXT NOT NULL DEFAULT ''
   );
   CREATE TABLE station_services (
     name TEXT PRIMARY KEY,
     secret_hash TEXT NOT NULL
   );
   -- Credential changes, read by brokers in other processes to drop revoked sessions.
   CREATE TABLE station_changes (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     account TEXT NOT NULL,
     kind TEXT NOT NULL
   );`,
];

export interface StationRow {
  id: string;
  name: string;
  areas: string;
  board: string;
  created_ms: number;
  online: number;
  firmware: string;
  session: number;
  last_seen_ms: number;
  address: string;
  reported_board: string;
}

export const STATION_COLUMNS = 'id, name, areas, board, created_ms, online, firmware, session, last_seen_ms, address, reported_board';

export function toStation(row: StationRow): Station {
  return {
    id: row.id,
    name: row.name,
    areas: row.areas ? (row.areas.split(',') as AreaCode[]) : [],
    board: row.board,
    online: row.online === 1,
    firmware: row.firmware,
    session: row.session,
    lastSeen: row.last_seen_ms,
    address: row.address,
    reportedBoard: row.reported_board,
    createdAt: row.created_ms,
  };
}

/** Parses "WV,KM" / "wv km" into area codes; throws a readable Error on an unknown one. */
export function parseAreas(text: string): AreaCode[] {
  const codes = text
    .split(/[,;\s]+/)
    .filter(Boolean)
    .map((a) => a.toUpperCase());
  for (const code of codes) {
    if (!(AREAS as readonly string[]).includes(code)) throw new Error(`unknown area "${code}" (known: ${AREAS.join(', ')})`);
  }
  return [...new Set(codes)] as AreaCode[];
}
