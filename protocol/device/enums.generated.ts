// GENERATED from protocol/deskphone.proto by protocol/gen-device-tables.ts: do not edit.
// Regenerate with `npm run gen:proto`. The device imports enums from here; the host uses tables.generated.ts.

export const enum Phase {
  PHASE_UNSPECIFIED = 0,
  SIGNED_OUT = 1,
  AVAILABLE = 2,
  RINGING = 3,
  TALKING = 4,
  WRAP_UP = 5,
  PAUSED = 6,
}

export const enum Area {
  AREA_UNSPECIFIED = 0,
  WV = 1,
  KM = 2,
}

export const enum Reason {
  REASON_UNSPECIFIED = 0,
  SIGNED_IN = 1,
  SIGNED_OFF = 2,
  CALL_OFFERED = 3,
  CALL_ANSWERED = 4,
  CALLER_HUNG_UP = 5,
  AGENT_HUNG_UP = 6,
  WRAP_UP_TIMER_EXPIRED = 7,
  AGENT_READY = 8,
  RING_NO_ANSWER = 9,
  CALLER_ABANDONED = 10,
  TRANSFERRED = 11,
  PAUSE_STARTED = 12,
  PAUSE_ENDED = 13,
  HOST_RESTARTED = 14,
}

export const enum AccountSource {
  ACCOUNT_SOURCE_UNSPECIFIED = 0,
  KEYPAD = 1,
  IVR = 2,
}

export const enum LookupStatus {
  LOOKUP_STATUS_UNSPECIFIED = 0,
  FOUND = 1,
  NOT_FOUND = 2,
  INVALID_NUMBER = 3,
  RATE_LIMITED = 4,
  DIRECTORY_UNAVAILABLE = 5,
}

export const enum ActionKind {
  ACTION_KIND_UNSPECIFIED = 0,
  TICKET = 1,
  LETTER = 2,
  FORWARD = 3,
  READY = 4,
}

export const enum AckStatus {
  ACK_STATUS_UNSPECIFIED = 0,
  ACCEPTED = 1,
  DUPLICATE = 2,
  REJECTED = 3,
}

export const enum CommandKind {
  COMMAND_KIND_UNSPECIFIED = 0,
  RESYNC = 1,
  REBIRTH = 2,
  IDENTIFY = 3,
  REBOOT = 4,
  CONFIG = 5,
}

export const enum UpdateState {
  UPDATE_STATE_UNSPECIFIED = 0,
  CURRENT = 1,
  BUSY = 2,
  READY = 3,
  RECEIVING = 4,
  VERIFIED = 5,
  FAILED = 6,
  RECOVERY = 7,
  REBOOTING = 8,
}
