// Bounds for what a desk sends. A station (or whoever holds its secret)
// chooses every byte of its requests; nothing of it is stored, logged or
// echoed before it passed these checks.
import { ACTIONS } from '../../protocol/catalogue.ts';
import { ActionKind } from '../../protocol/host-codec.ts';
import { hasControlCharacters } from '../text.ts';
import type { AccountRule } from './accounts.ts';
import { MAX_EVENT_TEXT } from './calls.ts';

/** Idempotency keys and correlation ids; the firmware's are "s<session>-<counter>". */
export const MAX_DEVICE_ID = 64;

/** Device times are milliseconds since the epoch; beyond 2^53 they are not even exact numbers. */
const MAX_DEVICE_TIME_MS = Number.MAX_SAFE_INTEGER;

const ACTION_KINDS: string[] = ACTIONS.map((a) => a.kind);

/** Why a device-sent id cannot be taken, or ''. Call ids are the PBX's, which the desk echoes, so they share its limit. */
export function idProblem(field: 'key' | 'corr' | 'callId', value: string): string {
  const max = field === 'callId' ? MAX_EVENT_TEXT : MAX_DEVICE_ID;
  if (value.length > max) return `${field} is longer than ${max} characters`;
  if (hasControlCharacters(value)) return `${field} contains control characters`;
  return '';
}

export interface DeviceAction {
  key: string;
  kind: number;
  kindName: string;
  callId: string;
  account: string;
  createdMs: number;
}

/** The action as the host may store it, or the reason it is REJECTED. */
export function checkAction(msg: Record<string, unknown>, rule: AccountRule): DeviceAction | { problem: string } {
  const key = String(msg.key ?? '');
  const kind = Number(msg.kind);
  const kindName = Object.keys(ActionKind).find((name) => ActionKind[name as keyof typeof ActionKind] === kind) ?? String(kind);
  const callId = String(msg.callId ?? '');
  const account = String(msg.account ?? '');
  const createdMs = Number(msg.createdMs ?? 0);
  const problem =
    (key ? idProblem('key', key) : 'action has no key') ||
    (ACTION_KINDS.includes(kindName) ? '' : 'unknown action kind') ||
    idProblem('callId', callId) ||
    (account === '' || (/^[0-9]+$/.test(account) && account.length === rule.digits) ? '' : `account must be empty or ${rule.digits} digits`) ||
    (Number.isInteger(createdMs) && createdMs >= 0 && createdMs <= MAX_DEVICE_TIME_MS ? '' : 'createdMs is not a time in milliseconds (0 to 2^53)');
  return problem ? { problem } : { key, kind, kindName, callId, account, createdMs };
}
