import { Phase, Reason, type Messages } from '../../protocol/host-codec.ts';
import { menuArea, type CallEvent } from './calls.ts';

/** The call a station holds while ringing, talking or in wrap-up: the Snapshot's Call. */
type Call = Messages['Call'];

/** Everything the host knows about one station; the snapshot is a view of this. */
export interface StationState {
  id: string;
  phase: number;
  reason: number;
  seq: number;
  agent: string;
  areas: number[];
  call: Call | null;
  /** When the current phase ends by itself: wrap-up end, or ring timeout; 0 if never. */
  deadlineMs: number;
  wrapUpS: number;
  phaseSinceMs: number;
  /** The call whose wrap-up ended last, and when: late actions for it are taken for ACTION_GRACE_MS. Absent in rows stored before it existed. */
  lastWrapUp?: { callId: string; endedMs: number } | null;
}

/**
 * How long after its wrap-up ended a ticket, letter or forward for a call is
 * still taken: a desk queues what the agent pressed while its link was down,
 * and finding a dead link (keepalive) and reconnecting (backoff up to 30 s)
 * takes about a minute and a half.
 */
export const ACTION_GRACE_MS = 120_000;

/** Transitions the host makes on its own when a deadline passes. */
export type TimerEvent = { type: 'wrap_up_expired' } | { type: 'ring_expired' };
export type StationEvent = CallEvent | TimerEvent;

export interface Timing {
  now: number;
  /** Wrap-up length for a call of this area. */
  wrapUpSeconds(area: number): number;
  /** How long a call may ring before the host takes it back; 0 leaves that to the telephony. */
  ringTimeoutMs: number;
}

export const PHASE_NAMES: Record<number, string> = {
  [Phase.SIGNED_OUT]: 'signed-out',
  [Phase.AVAILABLE]: 'available',
  [Phase.RINGING]: 'ringing',
  [Phase.TALKING]: 'talking',
  [Phase.WRAP_UP]: 'wrap-up',
  [Phase.PAUSED]: 'paused',
};

/** An event that is well-formed but does not fit the station's current phase or call. */
export class PhaseConflictError extends Error {
  constructor(
    readonly station: string,
    readonly phase: number,
    readonly eventType: string,
    message: string,
  ) {
    super(message);
    this.name = 'PhaseConflictError';
  }
}

/** Which phases accept each event; everything else is a conflict. */
const ACCEPTS: Record<StationEvent['type'], number[]> = {
  sign_in: [Phase.SIGNED_OUT],
  sign_out: [Phase.AVAILABLE, Phase.PAUSED, Phase.WRAP_UP],
  pause: [Phase.AVAILABLE, Phase.WRAP_UP],
  resume: [Phase.PAUSED],
  offered: [Phase.AVAILABLE],
  answered: [Phase.RINGING],
  hangup: [Phase.TALKING],
  no_answer: [Phase.RINGING],
  abandoned: [Phase.RINGING],
  transferred: [Phase.RINGING, Phase.TALKING],
  ready: [Phase.WRAP_UP],
  wrap_up_expired: [Phase.WRAP_UP],
  ring_expired: [Phase.RINGING],
};

export function signedOut(id: string, areas: number[], now: number): StationState {
  return { id, phase: Phase.SIGNED_OUT, reason: Reason.REASON_UNSPECIFIED, seq: 0, agent: '', areas, call: null, deadlineMs: 0, wrapUpS: 0, phaseSinceMs: now };
}

function enter(s: StationState, phase: number, reason: number, now: number, changes: Partial<StationState> = {}): StationState {
  const wrapUpEnds = s.phase === Phase.WRAP_UP && phase !== Phase.WRAP_UP && s.call;
  const lastWrapUp = wrapUpEnds ? { callId: s.call!.callId, endedMs: now } : (s.lastWrapUp ?? null);
  return { ...s, phase, reason, phaseSinceMs: now, deadlineMs: 0, lastWrapUp, ...changes };
}

function available(s: StationState, reason: number, at: number): StationState {
  return enter(s, Phase.AVAILABLE, reason, at, { call: null, wrapUpS: 0 });
}

function wrapUp(s: StationState, reason: number, t: Timing): StationState {
  const call = s.call as Call;
  const wrapUpS = t.wrapUpSeconds(call.area);
  return enter(s, Phase.WRAP_UP, reason, t.now, { call: { ...call, endedMs: t.now }, wrapUpS, deadlineMs: t.now + wrapUpS * 1000 });
}

/**
 * The station state machine: the one place that decides what an event does.
 * Pure: returns the next state (seq untouched; the publisher counts) or throws
 * PhaseConflictError, so a rejected event changes nothing anywhere.
 */
export function step(s: StationState, event: StationEvent, t: Timing): StationState {
  if (!ACCEPTS[event.type].includes(s.phase)) {
    const wanted = ACCEPTS[event.type].map((p) => PHASE_NAMES[p]).join(' or ');
    throw new PhaseConflictError(s.id, s.phase, event.type, `station ${s.id} is ${PHASE_NAMES[s.phase]}; "${event.type}" needs ${wanted}`);
  }
  if ('callId' in event && s.call && s.call.callId !== event.callId) {
    throw new PhaseConflictError(s.id, s.phase, event.type, `station ${s.id} has call ${s.call.callId}, not ${event.callId}`);
  }
  switch (event.type) {
    case 'sign_in':
      return enter(s, Phase.AVAILABLE, Reason.SIGNED_IN, t.now, { agent: event.agent, areas: event.areas ?? s.areas });
    case 'sign_out':
      return enter(s, Phase.SIGNED_OUT, Reason.SIGNED_OFF, t.now, { agent: '', call: null, wrapUpS: 0 });
    case 'pause':
      return enter(s, Phase.PAUSED, Reason.PAUSE_STARTED, t.now, { call: null, wrapUpS: 0 });
    case 'resume':
      return available(s, Reason.PAUSE_ENDED, t.now);
    case 'offered': {
      const area = event.area ?? (menuArea(event.menu) as number);
      if (s.areas.length > 0 && !s.areas.includes(area)) {
        throw new PhaseConflictError(s.id, s.phase, event.type, `station ${s.id} does not serve the area of call ${event.callId}`);
      }
      const call: Call = { callId: event.callId, menu: event.menu, area, ivrAccount: event.ivrAccount ?? '', offeredMs: t.now, answeredMs: 0, endedMs: 0 };
      return enter(s, Phase.RINGING, Reason.CALL_OFFERED, t.now, { call, deadlineMs: t.ringTimeoutMs > 0 ? t.now + t.ringTimeoutMs : 0 });
    }
    case 'answered':
      return enter(s, Phase.TALKING, Reason.CALL_ANSWERED, t.now, { call: { ...(s.call as Call), answeredMs: t.now } });
    case 'hangup':
      return wrapUp(s, event.by === 'caller' ? Reason.CALLER_HUNG_UP : Reason.AGENT_HUNG_UP, t);
    case 'no_answer':
    case 'ring_expired':
      return available(s, Reason.RING_NO_ANSWER, t.now);
    case 'abandoned':
      return available(s, Reason.CALLER_ABANDONED, t.now);
    case 'transferred':
      // A call handed on before it was answered left no work behind; one that
      // was talked about may need a ticket or letter, so it gets its wrap-up.
      return s.phase === Phase.RINGING ? available(s, Reason.TRANSFERRED, t.now) : wrapUp(s, Reason.TRANSFERRED, t);
    case 'ready':
      return available(s, Reason.AGENT_READY, t.now);
    case 'wrap_up_expired':
      return available(s, Reason.WRAP_UP_TIMER_EXPIRED, t.now);
  }
}

/**
 * Why a desk's action for `callId` does not belong to the station's call, or
 * '' when it does: the call in wrap-up, or (not for READY, which only ends a
 * running wrap-up) the call whose wrap-up ended within ACTION_GRACE_MS.
 */
export function actionCallProblem(s: StationState, kind: string, callId: string, now: number): string {
  if (s.phase === Phase.WRAP_UP && s.call?.callId === callId) return '';
  const recent = s.lastWrapUp;
  if (kind !== 'READY' && recent && recent.callId === callId && now - recent.endedMs <= ACTION_GRACE_MS) return '';
  const named = callId ? `call ${callId}` : 'no call';
  if (s.phase === Phase.WRAP_UP) return `station ${s.id} is wrapping up call ${s.call?.callId}, not ${named}`;
  return `station ${s.id} is ${PHASE_NAMES[s.phase]}; ${kind} is taken only in the wrap-up of its call (${named})`;
}

/** The timer transition a phase with a deadline takes when it passes. */
export function expiryOf(s: StationState): TimerEvent | null {
  if (s.deadlineMs <= 0) return null;
  if (s.phase === Phase.WRAP_UP) return { type: 'wrap_up_expired' };
  if (s.phase === Phase.RINGING) return { type: 'ring_expired' };
  return null;
}
