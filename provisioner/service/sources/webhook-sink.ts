import { EventValidationError, type FieldError } from '../calls.ts';
import { PhaseConflictError } from '../machine.ts';
import type { IngestResult } from '../service.ts';
import type { EventSink } from './source.ts';

/** The webhook could not take the event at all: unreachable, wrong token, server error. */
export class WebhookSinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSinkError';
  }
}

/**
 * A sink that hands events to a running host's `POST /events` instead of a
 * service in this process, so a source can feed `deskphone service` (or
 * `deskphone up`) without a second service claiming the same stations. The
 * webhook's answers turn back into the errors StationService.ingest throws;
 * anything else (unreachable, 401, 5xx) is a fault and rejects plainly.
 */
export function webhookSink(url: string, token: string, timeoutMs = 10_000): EventSink {
  return async (raw) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(raw),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new WebhookSinkError(`cannot reach the event webhook ${url}: ${(err as Error).message}`);
    }
    const body = (await res.json().catch(() => ({}))) as { error?: string; fields?: FieldError[] };
    if (res.status === 200) return body as unknown as IngestResult;
    if (res.status === 400 && Array.isArray(body.fields)) throw new EventValidationError(body.fields);
    if (res.status === 409) {
      const event = raw as { station?: unknown; type?: unknown };
      throw new PhaseConflictError(String(event.station ?? ''), 0, String(event.type ?? ''), body.error ?? 'phase conflict');
    }
    throw new WebhookSinkError(`event webhook ${url} answered HTTP ${res.status}${body.error ? ': ' + body.error : ''}`);
  };
}
