import { describe, expect, it } from 'vitest';
import { Area, Phase, Reason } from '../protocol/host-codec.ts';
import { EventValidationError, parseEvent } from '../provisioner/service/calls.ts';
import { PhaseConflictError, signedOut, step, type StationEvent, type StationState, type Timing } from '../provisioner/service/machine.ts';

const t = (now: number): Timing => ({ now, wrapUpSeconds: (area) => (area === Area.WV ? 120 : 300), ringTimeoutMs: 0 });

function run(events: StationEvent[], start: StationState = signedOut('wv-01', [], 0)): StationState {
  return events.reduce((s, e, i) => step(s, e, t((i + 1) * 1000)), start);
}

const st = 'wv-01';
const offer: StationEvent = { type: 'offered', station: st, callId: 'c1', menu: 1 };

describe('station state machine', () => {
  it('takes pause, resume, sign out and the per-area wrap-up length', () => {
    const wrapUp = run([{ type: 'sign_in', station: st, agent: 'a' }, offer, { type: 'answered', station: st, callId: 'c1' }, { type: 'hangup', station: st, callId: 'c1', by: 'agent' }]);
    expect(wrapUp).toMatchObject({ phase: Phase.WRAP_UP, wrapUpS: 120, deadlineMs: 4000 + 120_000, reason: Reason.AGENT_HUNG_UP });
    const paused = step(wrapUp, { type: 'pause', station: st }, t(5000));
    expect(paused).toMatchObject({ phase: Phase.PAUSED, reason: Reason.PAUSE_STARTED, call: null, deadlineMs: 0 });
    expect(step(paused, { type: 'resume', station: st }, t(6000))).toMatchObject({ phase: Phase.AVAILABLE, reason: Reason.PAUSE_ENDED });
    expect(step(paused, { type: 'sign_out', station: st }, t(6000))).toMatchObject({ phase: Phase.SIGNED_OUT, reason: Reason.SIGNED_OFF, agent: '' });
  });

  it('ends a ringing call three ways and a talking transfer in wrap-up', () => {
    const ringing = run([{ type: 'sign_in', station: st, agent: 'a' }, offer]);
    expect(step(ringing, { type: 'no_answer', station: st, callId: 'c1' }, t(9000)).reason).toBe(Reason.RING_NO_ANSWER);
    expect(step(ringing, { type: 'abandoned', station: st, callId: 'c1' }, t(9000)).reason).toBe(Reason.CALLER_ABANDONED);
    expect(step(ringing, { type: 'transferred', station: st, callId: 'c1', toDesk: 'laboratory' }, t(9000))).toMatchObject({ phase: Phase.AVAILABLE, reason: Reason.TRANSFERRED });
    const talking = step(ringing, { type: 'answered', station: st, callId: 'c1' }, t(9000));
    expect(step(talking, { type: 'transferred', station: st, callId: 'c1', toDesk: 'fault-service' }, t(20_000))).toMatchObject({ phase: Phase.WRAP_UP, reason: Reason.TRANSFERRED, deadlineMs: 140_000 });
  });

  it('refuses what does not fit: phase, call id, area', () => {
    const available = run([{ type: 'sign_in', station: st, agent: 'a', areas: [Area.KM] }]);
    expect(() => step(available, { type: 'answered', station: st, callId: 'c1' }, t(5))).toThrow(new PhaseConflictError(st, Phase.AVAILABLE, 'answered', 'station wv-01 is available; "answered" needs ringing'));
    expect(() => step(available, offer, t(5))).toThrow('station wv-01 does not serve the area of call c1');
    const ringing = step(available, { ...offer, menu: 2 } as StationEvent, t(5));
    expect(() => step(ringing, { type: 'answered', station: st, callId: 'c2' }, t(6))).toThrow('station wv-01 has call c1, not c2');
    expect(() => step(ringing, { type: 'sign_in', station: st, agent: 'b' }, t(6))).toThrow(PhaseConflictError);
  });

  it('names every bad field of a malformed event', () => {
    const fields = (raw: unknown) => {
      try {
        parseEvent(raw);
      } catch (err) {
        return (err as EventValidationError).fields.map((f) => f.field);
      }
      return [];
    };
    expect(fields([])).toEqual(['(event)']);
    expect(fields({ type: 'offered', station: 'a/b', menu: '3' })).toEqual(['station', 'callId', 'menu']);
    expect(fields({ type: 'hangup', station: st, callId: 'c', by: 'nobody' })).toEqual(['by']);
    expect(fields({ type: 'transferred', station: st, callId: 'c', toStation: st })).toEqual(['toStation']);
    expect(fields({ type: 'transferred', station: st, callId: 'c', toDesk: 'kitchen' })).toEqual(['toDesk']);
    expect(fields({ type: 'sign_in', station: st, agent: 'x', areas: ['WV', 'XX'] })).toEqual(['areas[1]']);
    expect(parseEvent({ type: 'offered', station: st, callId: 'c', menu: 5, area: 'KM', ivrAccount: '' })).toEqual({ type: 'offered', station: st, callId: 'c', menu: 5, area: Area.KM });
  });
});
