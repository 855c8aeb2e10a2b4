// The bounds `deskphone update` keeps to (broker and host load, patience with
// a desk), with the defaults its options start from.
import type { MaintenanceWindow } from './plan.ts';

export interface RolloutLimits {
  /** Desks offered or receiving at once. */
  concurrency: number;
  /** Image bytes per second over all desks (the chunks' framing not counted). */
  rateBytesPerS: number;
  chunkSize: number;
  /** Chunks sent ahead of the last acknowledged offset. */
  ahead: number;
  /** Seconds the new image has to send its healthy birth (UpdateOffer.healthS). */
  healthS: number;
  canaries: number;
  canaryTimeMs: number;
  window: MaintenanceWindow | null;
  /** A desk offline this long (from the start, or since it went) is reported offline. */
  offlineTimeoutMs: number;
  offerTimeoutMs: number;
  ackTimeoutMs: number;
  /** How long after VERIFIED the birth on the new version may take, beyond healthS. */
  bootGraceMs: number;
  /** A desk that said BUSY and whose phase the host does not learn is offered again after this. */
  busyRetryMs: number;
}

export const DEFAULT_LIMITS: RolloutLimits = {
  concurrency: 20,
  rateBytesPerS: 200_000,
  chunkSize: 1024,
  ahead: 2,
  healthS: 120,
  canaries: 0,
  canaryTimeMs: 10 * 60_000,
  window: null,
  offlineTimeoutMs: 30 * 60_000,
  offerTimeoutMs: 15_000,
  ackTimeoutMs: 10_000,
  bootGraceMs: 60_000,
  busyRetryMs: 60_000,
};
