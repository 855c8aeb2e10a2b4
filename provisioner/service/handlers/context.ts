// What a handler of a desk's uplink works with: the service's parts, built
// once by the service (service.ts) and handed to every handler.
import type { Logger } from '../../logging.ts';
import type { AccountRule } from '../accounts.ts';
import type { ActionStore } from '../actions.ts';
import type { AuditLog } from '../audit.ts';
import type { Clock } from '../clock.ts';
import type { Directory } from '../directory.ts';
import type { HostLink } from '../host-link.ts';
import type { RateLimiter } from '../rate-limit.ts';
import type { Stations } from '../stations.ts';
import type { TicketWebhook } from '../ticket-webhook.ts';

export interface LookupOutcome {
  station: string;
  corr: string;
  account: string;
  status: number;
}

export interface AckOutcome {
  station: string;
  key: string;
  status: number;
  ref: string;
}

export interface UplinkContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly link: HostLink;
  readonly stations: Stations;
  readonly accountRule: AccountRule;
  readonly directory: Directory | undefined;
  /** A lookup is answered within this time, whatever the backend does. */
  readonly lookupDeadlineMs: number;
  readonly limiter: RateLimiter;
  readonly audit: AuditLog;
  readonly actions: ActionStore;
  readonly webhook: TicketWebhook | null;
  /** Tells the service's listeners (the dashboard, tests, the bench). */
  emit(event: 'lookup', outcome: LookupOutcome): void;
  emit(event: 'ack', outcome: AckOutcome): void;
}

/** One kind of uplink (dp/v1/st/<id>/up/<kind>), decoded, from a registered station. */
export type UplinkHandler = (ctx: UplinkContext, station: string, msg: Record<string, unknown>) => void;
