import { Area } from '../../protocol/host-codec.ts';
import { stationIdProblem } from '../../protocol/topics.ts';
import { hasControlCharacters } from '../text.ts';

/**
 * The IVR menu and the area each choice belongs to. Meter readings (3) go to
 * customer management because they feed the bill; the technical topics go to
 * water supply. An event may name the area itself when a site routes otherwise.
 */
export const MENU: Record<number, { area: number; de: string; en: string }> = {
  1: { area: Area.WV, de: 'Entstörungsdienst', en: 'fault service' },
  2: { area: Area.KM, de: 'Abrechnung/Vertrag', en: 'billing/contract' },
  3: { area: Area.KM, de: 'Zähler/Zählerstand', en: 'meter/reading' },
  4: { area: Area.WV, de: 'Hausanschlüsse', en: 'house connections' },
  5: { area: Area.WV, de: 'Trinkwasser/Labor', en: 'drinking water/lab' },
  6: { area: Area.KM, de: 'Telefonzentrale', en: 'switchboard' },
};

export const AREA_NAMES: Record<string, number> = { WV: Area.WV, KM: Area.KM };

/** Specialist desks a call can be handed to instead of another station. */
export const DESKS = ['fault-service', 'laboratory'] as const;
export type Desk = (typeof DESKS)[number];

export type CallEvent =
  | { type: 'sign_in'; station: string; agent: string; areas?: number[] }
  | { type: 'sign_out'; station: string }
  | { type: 'pause'; station: string }
  | { type: 'resume'; station: string }
  | { type: 'offered'; station: string; callId: string; menu: number; area?: number; ivrAccount?: string }
  | { type: 'answered'; station: string; callId: string }
  | { type: 'hangup'; station: string; callId: string; by: 'caller' | 'agent' }
  | { type: 'no_answer'; station: string; callId: string }
  | { type: 'abandoned'; station: string; callId: string }
  | { type: 'transferred'; station: string; callId: string; toStation?: string; toDesk?: Desk }
  | { type: 'ready'; station: string };

export type EventType = CallEvent['type'];

const FIELDS: Record<EventType, { required: string[]; optional: string[] }> = {
  sign_in: { required: ['agent'], optional: ['areas'] },
  sign_out: { required: [], optional: [] },
  pause: { required: [], optional: [] },
  resume: { required: [], optional: [] },
  offered: { required: ['callId', 'menu'], optional: ['area', 'ivrAccount'] },
  answered: { required: ['callId'], optional: [] },
  hangup: { required: ['callId', 'by'], optional: [] },
  no_answer: { required: ['callId'], optional: [] },
  abandoned: { required: ['callId'], optional: [] },
  transferred: { required: ['callId'], optional: ['toStation', 'toDesk'] },
  ready: { required: [], optional: [] },
};

export const EVENT_TYPES = Object.keys(FIELDS) as EventType[];

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

/** Longest text field of an event (ids, names); a desk echoing a call id is held to it too. */
export const MAX_EVENT_TEXT = 64;

function text(value: unknown, field: string, errors: FieldError[], pattern?: RegExp, patternText?: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    errors.push({ field, problem: 'must be a non-empty string' });
    return '';
  }
  if (value.length > MAX_EVENT_TEXT) errors.push({ field, problem: `must be at most ${MAX_EVENT_TEXT} characters` });
  else if (hasControlCharacters(value)) errors.push({ field, problem: 'must not contain control characters' });
  else if (pattern && !pattern.test(value)) errors.push({ field, problem: patternText ?? 'has an invalid form' });
  return value;
}

function area(value: unknown, field: string, errors: FieldError[]): number {
  if (typeof value === 'string' && Object.hasOwn(AREA_NAMES, value)) return AREA_NAMES[value];
  errors.push({ field, problem: `must be one of ${Object.keys(AREA_NAMES).join(', ')}` });
  return 0;
}

/**
 * Checks one raw event (parsed JSON) against the schema in docs/events.md and
 * returns it typed, or throws EventValidationError naming every bad field.
 * Unknown fields are errors: a typo such as "callid" must not pass silently.
 */
export function parseEvent(raw: unknown): CallEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EventValidationError([{ field: '(event)', problem: 'must be a JSON object' }]);
  }
  const obj = raw as Record<string, unknown>;
  const errors: FieldError[] = [];
  const type = obj.type as EventType;
  // Own keys only: "constructor" or "__proto__" must not find what every object inherits.
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) {
    throw new EventValidationError([{ field: 'type', problem: `must be one of ${EVENT_TYPES.join(', ')}` }]);
  }
  const spec = FIELDS[type];
  const station = text(obj.station, 'station', errors);
  if (station && stationIdProblem(station)) errors.push({ field: 'station', problem: stationIdProblem(station) });
  for (const key of Object.keys(obj)) {
    if (key !== 'type' && key !== 'station' && !spec.required.includes(key) && !spec.optional.includes(key)) {
      errors.push({ field: key, problem: `is not a field of "${type}" events` });
    }
  }
  for (const key of spec.required) if (obj[key] === undefined) errors.push({ field: key, problem: 'is required' });
  const event: Record<string, unknown> = { type, station };
  if (obj.callId !== undefined) event.callId = text(obj.callId, 'callId', errors);
  if (obj.agent !== undefined) event.agent = text(obj.agent, 'agent', errors);
  if (obj.menu !== undefined) {
    if (!Number.isInteger(obj.menu) || !Object.hasOwn(MENU, obj.menu as number)) errors.push({ field: 'menu', problem: 'must be an integer 1-6' });
    event.menu = obj.menu;
  }
  if (obj.area !== undefined) event.area = area(obj.area, 'area', errors);
  if (obj.areas !== undefined) {
    if (!Array.isArray(obj.areas) || obj.areas.length === 0) errors.push({ field: 'areas', problem: 'must be a non-empty array of WV, KM' });
    else event.areas = [...new Set(obj.areas.map((a, i) => area(a, `areas[${i}]`, errors)))];
  }
  if (obj.ivrAccount !== undefined && obj.ivrAccount !== '') {
    event.ivrAccount = text(obj.ivrAccount, 'ivrAccount', errors, /^[0-9]+$/, 'must be digits only');
  }
  if (obj.by !== undefined) {
    if (obj.by !== 'caller' && obj.by !== 'agent') errors.push({ field: 'by', problem: 'must be "caller" or "agent"' });
    event.by = obj.by;
  }
  if (type === 'transferred') {
    if ((obj.toStation === undefined) === (obj.toDesk === undefined)) {
      errors.push({ field: 'toStation', problem: 'give exactly one of toStation or toDesk' });
    } else if (obj.toStation !== undefined) {
      const to = text(obj.toStation, 'toStation', errors);
      if (to && stationIdProblem(to)) errors.push({ field: 'toStation', problem: stationIdProblem(to) });
      else if (to === station) errors.push({ field: 'toStation', problem: 'is the station the call is on' });
      event.toStation = to;
    } else {
      if (!DESKS.includes(obj.toDesk as Desk)) errors.push({ field: 'toDesk', problem: `must be one of ${DESKS.join(', ')}` });
      event.toDesk = obj.toDesk;
    }
  }
  if (errors.length > 0) throw new EventValidationError(errors);
  return event as CallEvent;
}
