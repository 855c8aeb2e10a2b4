// Shared builders for the firmware core tests: a configured state and
// snapshots shaped like the device codec's output.
import { initState, step, State } from '../../firmware/src/core/state.ts';
import type { Call, Snapshot } from '../../protocol/device/tables.generated.ts';

export const T0 = 1_780_000_000_000; // host clock at the start of each scenario

export function freshState(opts: { lang?: string; digits?: number; kp?: boolean } = {}): State {
  return initState({
    cfg: { id: 'desk-07', lang: opts.lang ?? 'de', digits: opts.digits ?? 12 },
    fw: '0.1.0',
    kp: opts.kp ?? true,
    ses: 's1',
  });
}

export function call(over: Partial<Call> = {}): Call {
  return { callId: 'c-1', menu: 2, area: 2, ivrAccount: '', offeredMs: T0, answeredMs: 0, endedMs: 0, ...over };
}

export function snap(over: Partial<Snapshot>): Snapshot {
  return {
    station: 'desk-07',
    phase: 2,
    call: null,
    wrapUpDeadlineMs: 0,
    hostTimeMs: T0,
    reason: 0,
    seq: 1,
    areas: [1, 2],
    wrapUpS: 300,
    phaseSinceMs: T0,
    agent: 'Anna',
    ...over,
  };
}

/** Applies a snapshot received at local time `local` with the link and host up. */
export function online(s: State, local: number): State {
  step(s, { t: 'link', n: local, k: 'online', d: '10.0.0.7' });
  return s;
}

export function drain(s: State) {
  const out = s.out.slice();
  s.out.length = 0;
  return out;
}
