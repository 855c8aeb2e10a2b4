// GENERATED from protocol/deskphone.proto by protocol/gen-device-tables.ts: do not edit.
// Regenerate with `npm run gen:proto`. Tables: [name, kind, ...] per field number
// (see protocol/device/codec.ts); kinds: 0 uint32, 1 int32, 2 sint32, 3 uint64, 4 bool, 5 string; +8 repeated; a table for a message field.

import type { Table } from './codec.ts';

/** Deepest message nesting in the schema; the decoder rejects anything deeper. */
export const DEPTH = 2;

export const Phase = {
  PHASE_UNSPECIFIED: 0,
  SIGNED_OUT: 1,
  AVAILABLE: 2,
  RINGING: 3,
  TALKING: 4,
  WRAP_UP: 5,
  PAUSED: 6,
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export const Area = {
  AREA_UNSPECIFIED: 0,
  WV: 1,
  KM: 2,
} as const;
export type Area = (typeof Area)[keyof typeof Area];

export const Reason = {
  REASON_UNSPECIFIED: 0,
  SIGNED_IN: 1,
  SIGNED_OFF: 2,
  CALL_OFFERED: 3,
  CALL_ANSWERED: 4,
  CALLER_HUNG_UP: 5,
  AGENT_HUNG_UP: 6,
  WRAP_UP_TIMER_EXPIRED: 7,
  AGENT_READY: 8,
  RING_NO_ANSWER: 9,
  CALLER_ABANDONED: 10,
  TRANSFERRED: 11,
  PAUSE_STARTED: 12,
  PAUSE_ENDED: 13,
  HOST_RESTARTED: 14,
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export const AccountSource = {
  ACCOUNT_SOURCE_UNSPECIFIED: 0,
  KEYPAD: 1,
  IVR: 2,
} as const;
export type AccountSource = (typeof AccountSource)[keyof typeof AccountSource];

export const LookupStatus = {
  LOOKUP_STATUS_UNSPECIFIED: 0,
  FOUND: 1,
  NOT_FOUND: 2,
  INVALID_NUMBER: 3,
  RATE_LIMITED: 4,
  DIRECTORY_UNAVAILABLE: 5,
} as const;
export type LookupStatus = (typeof LookupStatus)[keyof typeof LookupStatus];

export const ActionKind = {
  ACTION_KIND_UNSPECIFIED: 0,
  TICKET: 1,
  LETTER: 2,
  FORWARD: 3,
  READY: 4,
} as const;
export type ActionKind = (typeof ActionKind)[keyof typeof ActionKind];

export const AckStatus = {
  ACK_STATUS_UNSPECIFIED: 0,
  ACCEPTED: 1,
  DUPLICATE: 2,
  REJECTED: 3,
} as const;
export type AckStatus = (typeof AckStatus)[keyof typeof AckStatus];

export const CommandKind = {
  COMMAND_KIND_UNSPECIFIED: 0,
  RESYNC: 1,
  REBIRTH: 2,
  IDENTIFY: 3,
  REBOOT: 4,
  CONFIG: 5,
} as const;
export type CommandKind = (typeof CommandKind)[keyof typeof CommandKind];

export const UpdateState = {
  UPDATE_STATE_UNSPECIFIED: 0,
  CURRENT: 1,
  BUSY: 2,
  READY: 3,
  RECEIVING: 4,
  VERIFIED: 5,
  FAILED: 6,
  RECOVERY: 7,
  REBOOTING: 8,
} as const;
export type UpdateState = (typeof UpdateState)[keyof typeof UpdateState];

export interface Call {
  callId: string;
  menu: number;
  /** Area */
  area: number;
  ivrAccount: string;
  offeredMs: number;
  answeredMs: number;
  endedMs: number;
}
export const Call: Table<Call> = ['callId', 5, 'menu', 0, 'area', 1, 'ivrAccount', 5, 'offeredMs', 3, 'answeredMs', 3, 'endedMs', 3];

export interface Snapshot {
  station: string;
  /** Phase */
  phase: number;
  call: Call | null;
  wrapUpDeadlineMs: number;
  hostTimeMs: number;
  /** Reason */
  reason: number;
  seq: number;
  /** Area */
  areas: number[];
  wrapUpS: number;
  phaseSinceMs: number;
  agent: string;
}
export const Snapshot: Table<Snapshot> = ['station', 5, 'phase', 1, 'call', Call, 'wrapUpDeadlineMs', 3, 'hostTimeMs', 3, 'reason', 1, 'seq', 0, 'areas', 9, 'wrapUpS', 0, 'phaseSinceMs', 3, 'agent', 5];

export interface LookupRequest {
  corr: string;
  account: string;
  /** AccountSource */
  source: number;
  callId: string;
}
export const LookupRequest: Table<LookupRequest> = ['corr', 5, 'account', 5, 'source', 1, 'callId', 5];

export interface LookupResult {
  corr: string;
  /** LookupStatus */
  status: number;
  account: string;
  name: string;
  street: string;
  place: string;
  openItems: number;
  openCents: number;
}
export const LookupResult: Table<LookupResult> = ['corr', 5, 'status', 1, 'account', 5, 'name', 5, 'street', 5, 'place', 5, 'openItems', 0, 'openCents', 2];

export interface Action {
  key: string;
  /** ActionKind */
  kind: number;
  callId: string;
  account: string;
  createdMs: number;
}
export const Action: Table<Action> = ['key', 5, 'kind', 1, 'callId', 5, 'account', 5, 'createdMs', 3];

export interface ActionAck {
  key: string;
  /** AckStatus */
  status: number;
  ref: string;
  /** ActionKind */
  kind: number;
  detail: string;
}
export const ActionAck: Table<ActionAck> = ['key', 5, 'status', 1, 'ref', 5, 'kind', 1, 'detail', 5];

export interface Birth {
  firmware: string;
  board: string;
  configVersion: number;
  session: number;
  freeVars: number;
  totalVars: number;
  uptimeS: number;
  resetCause: string;
  address: string;
  errors: number;
  rssi: number;
}
export const Birth: Table<Birth> = ['firmware', 5, 'board', 5, 'configVersion', 0, 'session', 0, 'freeVars', 0, 'totalVars', 0, 'uptimeS', 0, 'resetCause', 5, 'address', 5, 'errors', 0, 'rssi', 2];

export interface Presence {
  online: boolean;
  session: number;
  birth: Birth | null;
}
export const Presence: Table<Presence> = ['online', 4, 'session', 0, 'birth', Birth];

export interface HostPresence {
  online: boolean;
  timeMs: number;
  version: string;
}
export const HostPresence: Table<HostPresence> = ['online', 4, 'timeMs', 3, 'version', 5];

export interface ConfigPatch {
  version: number;
  lang: string;
  accountDigits: number;
}
export const ConfigPatch: Table<ConfigPatch> = ['version', 0, 'lang', 5, 'accountDigits', 0];

export interface Command {
  id: string;
  /** CommandKind */
  kind: number;
  config: ConfigPatch | null;
}
export const Command: Table<Command> = ['id', 5, 'kind', 1, 'config', ConfigPatch];

export interface SyncRequest {
  haveSeq: number;
}
export const SyncRequest: Table<SyncRequest> = ['haveSeq', 0];

export interface UpdateOffer {
  id: string;
  version: string;
  size: number;
  crc32: number;
  sha256: string;
  chunkSize: number;
  healthS: number;
  window: boolean;
}
export const UpdateOffer: Table<UpdateOffer> = ['id', 5, 'version', 5, 'size', 0, 'crc32', 0, 'sha256', 5, 'chunkSize', 0, 'healthS', 0, 'window', 4];

export interface UpdateStatus {
  id: string;
  /** UpdateState */
  state: number;
  offset: number;
  version: string;
  detail: string;
  crc32: number;
}
export const UpdateStatus: Table<UpdateStatus> = ['id', 5, 'state', 1, 'offset', 0, 'version', 5, 'detail', 5, 'crc32', 0];

/** Decoded value of each message type, by name. */
export interface Messages {
  Call: Call;
  Snapshot: Snapshot;
  LookupRequest: LookupRequest;
  LookupResult: LookupResult;
  Action: Action;
  ActionAck: ActionAck;
  Birth: Birth;
  Presence: Presence;
  HostPresence: HostPresence;
  ConfigPatch: ConfigPatch;
  Command: Command;
  SyncRequest: SyncRequest;
  UpdateOffer: UpdateOffer;
  UpdateStatus: UpdateStatus;
}
export type MessageName = keyof Messages;
