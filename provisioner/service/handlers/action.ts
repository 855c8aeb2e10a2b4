// up/action: a wrap-up action a desk took (letter, callback, READY, …).
import { AckStatus, ActionKind } from '../../../protocol/host-codec.ts';
import { downTopic } from '../../../protocol/topics.ts';
import { checkAction, idProblem, type DeviceAction } from '../device-input.ts';
import { actionCallProblem, PhaseConflictError, step } from '../machine.ts';
import type { UplinkContext } from './context.ts';

interface Ack {
  key: string;
  status: number;
  ref: string;
  kind: number;
  detail: string;
}

/**
 * Stores an action once per (station, key) and acknowledges every copy with
 * the same ref. Only an action within bounds, for the call the station is
 * wrapping up (or just wrapped up), is stored; anything else is REJECTED.
 */
export function handleAction(ctx: UplinkContext, station: string, msg: Record<string, unknown>): void {
  const checked = checkAction(msg, ctx.accountRule);
  const kind = Number(msg.kind);
  let ack: Ack;
  if ('problem' in checked) {
    const key = String(msg.key ?? '');
    ctx.logger.warn({ station, problem: checked.problem }, 'action rejected');
    // A key out of bounds is not echoed: the desk could not match it anyway.
    ack = { key: idProblem('key', key) ? '' : key, status: AckStatus.REJECTED, ref: '', kind, detail: checked.problem };
  } else {
    try {
      ack = storeAction(ctx, station, checked);
    } catch (err) {
      if (!(err instanceof PhaseConflictError)) throw err;
      ctx.logger.warn({ station, key: checked.key, kind: checked.kindName, problem: err.message }, 'action rejected');
      ack = { key: checked.key, status: AckStatus.REJECTED, ref: '', kind, detail: err.message };
    }
  }
  ctx.link.send(downTopic(station, 'ack'), 'ActionAck', ack, { qos: 1, retain: false });
  ctx.emit('ack', { station, key: ack.key, status: ack.status, ref: ack.ref });
}

function storeAction(ctx: UplinkContext, station: string, action: DeviceAction): Ack {
  const { key, kind, kindName, callId } = action;
  let stored = null as { ref: string; status: number; kind: number } | null;
  ctx.stations.apply(() => {
    // A key names one action of one call. The same key for another call is
    // not a retry: the desk's counter started again (Storage wiped, module
    // swapped), and taking it for a duplicate would lose the agent's ticket.
    const first = ctx.actions.find(station, key);
    const storedKey = first && (first.callId !== callId || first.kind !== kindName) ? `${key}@${callId}` : key;
    const earlier = storedKey === key ? first : ctx.actions.find(station, storedKey);
    if (earlier) {
      stored = { ref: earlier.ref, status: AckStatus.DUPLICATE, kind: ActionKind[earlier.kind as keyof typeof ActionKind] };
      return [];
    }
    const now = ctx.clock.now();
    const current = ctx.stations.current(station);
    const unbound = actionCallProblem(current, kindName, callId, now);
    if (unbound) throw new PhaseConflictError(station, current.phase, kindName.toLowerCase(), unbound);
    const changes = kindName === 'READY' ? [step(current, { type: 'ready', station }, ctx.stations.timing(now))] : [];
    const a = ctx.actions.store({ station, key: storedKey, kind: kindName, callId, account: action.account, createdMs: action.createdMs, storedMs: now });
    stored = { ref: a.ref, status: AckStatus.ACCEPTED, kind };
    return changes;
  });
  const result = stored!;
  if (result.status === AckStatus.ACCEPTED && result.ref) ctx.webhook?.kick();
  return { key, status: result.status, ref: result.ref, kind: result.kind, detail: '' };
}
