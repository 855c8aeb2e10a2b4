import { join } from 'node:path';
import { AREA_CODES, MENUS, menuOf } from '../../protocol/catalogue.ts';
import { Area } from '../../protocol/host-codec.ts';
import { stationIdProblem } from '../../protocol/topics.ts';
import { z } from 'zod';
import { fieldPath, type RawIssue } from '../../lib/zod-problems.ts';
import { hasControlCharacters } from '../text.ts';

/** Area values (proto Area) by code, for the catalogue's areas. */
export const AREA_NAMES: Record<string, number> = Object.fromEntries(AREA_CODES.map((code) => [code, Area[code]]));

/** The area (proto Area value) a menu choice belongs to (protocol/catalogue.ts); undefined outside the menu. */
export function menuArea(menu: number): number | undefined {
  const entry = menuOf(menu);
  return entry && AREA_NAMES[entry.area];
}

/** Specialist desks a call can be handed to instead of another station. */
export const DESKS = ['fault-service', 'laboratory'] as const;
export type Desk = (typeof DESKS)[number];

/** Longest text field of an event (ids, names); a desk echoing a call id is held to it too. */
export const MAX_EVENT_TEXT = 64;

const NON_EMPTY = 'must be a non-empty string';

/** A field's own problem for a wrong value; a missing field falls through to "is required" (eventProblem). */
const unlessMissing = (problem: string) => (issue: { input?: unknown }) => (issue.input === undefined ? undefined : problem);

/**
 * At most 64 characters, no control characters; only the first of the two is
 * named. `more` keeps a later check (the station id rule) running after either.
 */
function bounded(s: z.ZodString, more = false): z.ZodString {
  return s
    .max(MAX_EVENT_TEXT, { error: `must be at most ${MAX_EVENT_TEXT} characters`, abort: !more })
    .refine((v) => !hasControlCharacters(v), { error: 'must not contain control characters', abort: !more, when: (p) => p.issues.length === 0 });
}

/** An id or name. A missing one is "required" like any other field, unless `missing` says otherwise. */
function text(missing?: string, more = false): z.ZodString {
  return bounded(z.string({ error: (issue) => (issue.input === undefined ? missing : NON_EMPTY) }).min(1, { error: NON_EMPTY, abort: true }), more);
}

/** A station id: a text, and a valid MQTT topic level (protocol/topics.ts). */
function stationId(missing?: string) {
  return text(missing, true).check((ctx) => {
    const problem = stationIdProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });
}

const areaNames = Object.keys(AREA_NAMES) as [string, ...string[]];
const area = z.enum(areaNames, { error: `must be one of ${areaNames.join(', ')}` }).transform((name) => AREA_NAMES[name]);
const menus = MENUS.map((m) => m.number);
const menuProblem = `must be an integer ${Math.min(...menus)}-${Math.max(...menus)}`;

/** One kind of event: `type` names it; a field that the type does not have is an error (a typo such as "callid" must not pass). */
function event<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.strictObject({ type: z.literal(type), station: stationId(NON_EMPTY).describe('a registered station id (protocol/topics.ts)'), ...shape });
}

/**
 * The call events a source delivers (docs/events.md; docs/call-event.schema.json
 * is generated from it): the one declaration of their type, their JSON
 * Schema and their check. Area names become Area numbers on the way in.
 */
export const CallEventSchema = z.discriminatedUnion('type', [
  event('sign_in', {
    agent: text().describe("the agent's name or id"),
    areas: z
      .array(area, { error: `must be a non-empty array of ${areaNames.join(', ')}` })
      .min(1, { error: `must be a non-empty array of ${areaNames.join(', ')}` })
      .transform((list) => [...new Set(list)])
      .optional(),
  }),
  event('sign_out', {}),
  event('pause', {}),
  event('resume', {}),
  event('offered', {
    callId: text(),
    menu: z
      .int({ error: unlessMissing(menuProblem) })
      .min(Math.min(...menus), { error: menuProblem })
      .max(Math.max(...menus), { error: menuProblem })
      .describe("the caller's IVR choice (MENUS in protocol/catalogue.ts)"),
    area: area.describe('overrides the area of the menu').optional(),
    ivrAccount: bounded(z.string({ error: NON_EMPTY }))
      .regex(/^[0-9]*$/, { error: 'must be digits only' })
      .describe('the account number the caller keyed in; empty: none')
      .transform((digits) => digits || undefined)
      .optional(),
  }),
  event('answered', { callId: text() }),
  event('hangup', { callId: text(), by: z.enum(['caller', 'agent'], { error: unlessMissing('must be "caller" or "agent"') }) }),
  event('no_answer', { callId: text() }),
  event('abandoned', { callId: text() }),
  event('transferred', {
    callId: text(),
    toStation: stationId().optional(),
    toDesk: z.enum(DESKS, { error: `must be one of ${DESKS.join(', ')}` }).optional(),
  }).check((ctx) => {
    const e = ctx.value;
    if ((e.toStation === undefined) === (e.toDesk === undefined)) ctx.issues.push({ code: 'custom', path: ['toStation'], message: 'give exactly one of toStation or toDesk', input: e });
    else if (e.toStation === e.station) ctx.issues.push({ code: 'custom', path: ['toStation'], message: 'is the station the call is on', input: e });
  }),
  event('ready', {}),
]);

export type CallEvent = z.output<typeof CallEventSchema>;
export type EventType = CallEvent['type'];
export const EVENT_TYPES = CallEventSchema.options.map((o) => o.shape.type.value) as EventType[];

export interface FieldError {
  field: string;
  problem: string;
}

/** An event that is malformed in itself, before any station state is consulted. */
export class EventValidationError extends Error {
  constructor(readonly fields: FieldError[]) {
    super(fields.map((f) => `${f.field}: ${f.problem}`).join('; '));
    this.name = 'EventValidationError';
  }
}

/** The faults the schema's own messages leave open: a missing field, a field of another type, an unknown type. */
function eventProblem(issue: RawIssue): string | undefined {
  if (issue.input === undefined) return 'is required';
  if (issue.code === 'unrecognized_keys') return `is not a field of "${(issue.input as { type?: string }).type}" events`;
  if (issue.code === 'invalid_union') return `must be one of ${EVENT_TYPES.join(', ')}`;
  return undefined;
}

/**
 * Checks one raw event (parsed JSON) against CallEventSchema and returns it
 * typed, or throws EventValidationError naming every bad field.
 */
export function parseEvent(raw: unknown): CallEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EventValidationError([{ field: '(event)', problem: 'must be a JSON object' }]);
  }
  const result = CallEventSchema.safeParse(raw, { error: eventProblem });
  if (result.success) return result.data;
  throw new EventValidationError(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys' ? issue.keys.map((key) => ({ field: key, problem: issue.message })) : [{ field: fieldPath(issue.path), problem: issue.message }],
    ),
  );
}

export const CALL_EVENT_SCHEMA_FILE = join(import.meta.dirname, '..', '..', 'docs', 'call-event.schema.json');

/** The text of docs/call-event.schema.json: the JSON Schema of what a source sends (area names, not numbers). */
export function renderCallEventSchema(): string {
  const { $schema, ...schema } = z.toJSONSchema(CallEventSchema, { target: 'draft-2020-12', io: 'input' });
  return JSON.stringify({ $schema, title: 'deskphone call event', ...schema }, null, 2) + '\n';
}
