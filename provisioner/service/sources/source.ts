import { EventValidationError, type FieldError } from '../calls.ts';
import { PhaseConflictError } from '../machine.ts';
import { UnknownStationError, type IngestResult } from '../service.ts';
import type { DeskView } from './desk-view.ts';

/**
 * Where call events enter the station service. A source hands each event, as
 * parsed JSON in the schema of docs/events.md, to the sink and reacts to what
 * the sink throws (or rejects with); the sink is StationService.ingest, or a
 * running host's webhook (webhookSink), or anything with that contract. A PBX
 * connector (e.g. Asterisk AMI) is one more EventSource.
 */
export type EventSink = (raw: unknown) => IngestResult | Promise<IngestResult>;

export interface EventSource {
  readonly name: string;
  /**
   * Begins delivering events; resolves once the source runs (or, for finite
   * ones, when done). `desks` shows the desks' phases to a source that keeps
   * the telephony in step with them (Asterisk: wrap-up pauses the member).
   */
  start(sink: EventSink, desks?: DeskView): Promise<void>;
  stop(): Promise<void>;
}

/** Why the sink refused an event, sorted into what a source reports back. */
export interface Rejection {
  kind: 'invalid' | 'unknown-station' | 'conflict';
  message: string;
  fields: FieldError[];
}

/** Sorts an ingest error into a Rejection; rethrows anything that is not the event's fault. */
export function rejectionOf(err: unknown): Rejection {
  if (err instanceof EventValidationError) return { kind: 'invalid', message: err.message, fields: err.fields };
  if (err instanceof UnknownStationError) {
    return { kind: 'unknown-station', message: err.message, fields: [{ field: err.field, problem: `"${err.station}" is not registered` }] };
  }
  if (err instanceof PhaseConflictError) return { kind: 'conflict', message: err.message, fields: [] };
  throw err;
}
