// up/lookup: a desk asks for the customer behind an account number. The host
// also looks up an offered call's IVR number itself (lookupAccount).
import { AccountSource, LookupStatus, type Messages } from '../../../protocol/host-codec.ts';
import { downTopic } from '../../../protocol/topics.ts';
import { accountProblem } from '../accounts.ts';
import { idProblem, MAX_DEVICE_ID } from '../device-input.ts';
import { DirectoryUnavailableError, type Directory, type DirectoryEntry } from '../directory.ts';
import type { UplinkContext } from './context.ts';

export type LookupRequest = Pick<Messages['LookupRequest'], 'corr' | 'account' | 'callId'>;

/** An account number is at most DEFAULTS.accountDigitsMax digits (protocol/catalogue.ts); longer junk is cut to this where it is kept or echoed. */
const MAX_ACCOUNT_ECHO = 32;

function enumName(values: Record<string, number>, n: number): string {
  for (const [name, v] of Object.entries(values)) if (v === n) return name;
  return String(n);
}

/**
 * A lookup a desk asked for. The host looks up a call's IVR number itself
 * when the call is offered, so whatever source a desk names, its lookups
 * are the agent's and count towards the rate limit; one with an id out of
 * bounds is audited and not answered (there is nothing it could be matched by).
 */
export function handleLookup(ctx: UplinkContext, station: string, msg: Record<string, unknown>): void {
  const request = { corr: String(msg.corr), account: String(msg.account), callId: String(msg.callId) };
  const rateLimited = !ctx.limiter.allow(station);
  const problem = idProblem('corr', request.corr) || idProblem('callId', request.callId);
  if (!problem) return void lookupAccount(ctx, station, request, AccountSource.KEYPAD, rateLimited);
  ctx.logger.warn({ station, problem }, 'lookup request rejected');
  auditLookup(ctx, station, request, 'REJECTED', AccountSource.KEYPAD, problem);
}

/** Answers one lookup, always within the deadline, audits it, and sends the result to that station only. */
export async function lookupAccount(ctx: UplinkContext, station: string, request: LookupRequest, source: number, rateLimited = false): Promise<void> {
  const { corr, callId } = request;
  // Whatever a device sent is audited and echoed, but junk is not kept or sent back at any length.
  const account = request.account.slice(0, MAX_ACCOUNT_ECHO);
  let status: number;
  let entry: DirectoryEntry | null = null;
  let detail = '';
  const problem = accountProblem(request.account, ctx.accountRule);
  if (rateLimited) {
    status = LookupStatus.RATE_LIMITED;
  } else if (problem) {
    status = LookupStatus.INVALID_NUMBER;
    detail = problem;
  } else if (!ctx.directory) {
    status = LookupStatus.DIRECTORY_UNAVAILABLE;
    detail = 'no directory configured';
  } else {
    try {
      entry = await directoryLookup(ctx, ctx.directory, account);
      status = entry ? LookupStatus.FOUND : LookupStatus.NOT_FOUND;
    } catch (err) {
      status = LookupStatus.DIRECTORY_UNAVAILABLE;
      detail = (err as Error).message;
    }
  }
  auditLookup(ctx, station, { corr, account, callId }, enumName(LookupStatus, status), source, detail);
  // QoS 0: a QoS 1 message to a persistent session is written to the
  // broker's store until acknowledged (and queued there while the desk is
  // offline), and customer data must not rest on the broker. A lost result
  // shows as "no answer" on the desk, which the agent can simply retry.
  ctx.link.send(downTopic(station, 'lookup'), 'LookupResult', { corr, status, account, ...(entry ?? {}) }, { qos: 0, retain: false });
  ctx.emit('lookup', { station, corr, account, status });
}

function auditLookup(ctx: UplinkContext, station: string, request: LookupRequest, outcome: string, source: number, detail: string): void {
  ctx.audit.record({
    timeMs: ctx.clock.now(),
    station,
    account: request.account.slice(0, MAX_ACCOUNT_ECHO),
    outcome,
    source: source === AccountSource.IVR ? 'IVR' : 'KEYPAD',
    callId: request.callId.slice(0, MAX_DEVICE_ID),
    corr: request.corr.slice(0, MAX_DEVICE_ID),
    detail,
  });
}

function directoryLookup(ctx: UplinkContext, directory: Directory, account: string): Promise<DirectoryEntry | null> {
  const deadlineMs = ctx.lookupDeadlineMs;
  const abort = new AbortController();
  return new Promise((resolve, reject) => {
    const timer = ctx.clock.setTimeout(() => {
      abort.abort();
      reject(new DirectoryUnavailableError(`no answer within ${deadlineMs} ms`));
    }, deadlineMs);
    directory.lookup(account, abort.signal).then(
      (entry) => {
        ctx.clock.clearTimeout(timer);
        resolve(entry);
      },
      (err) => {
        ctx.clock.clearTimeout(timer);
        reject(err);
      },
    );
  });
}
