// The hotline's vocabulary, written once: IVR menus, areas, wrap-up actions,
// phases, keys, the device's own texts and the defaults. Everything that shows
// or checks one of these reads it from here, directly (host code) or from the
// files `npm run gen:proto` writes from it (device string table and enums,
// the dashboard's labels); a test keeps those equal to the generator's output.
//
// Wire numbers (Area, ActionKind, Phase, LookupStatus) are the contract's:
// entries here name proto enum members, and the generator fails until each
// member the device or host shows has an entry. Menu numbers are plain
// numbers on the wire (Call.menu), so a menu exists once it is listed here.
//
// German is the hotline's language; every label has an English twin. In a
// menu label, a soft hyphen (U+00AD, at most one, like the slash) marks where
// a long word breaks on the desk's ringing screen; everything else drops it
// (see plain()). Labels must
// fit there: beside the big menu number a 128x64 desk has about 85 pixels and,
// with an IVR account found, two lines for the topic (so menu 3 is
// "Wasserzähler", not the IVR's "Hauptwasserzähler").

export interface Label {
  de: string;
  en: string;
}

export type Lang = keyof Label;

/** Areas agents work in, by proto Area member (the code agents, routing and flags use). */
export const AREAS = [
  { code: 'WV', de: 'Wasserversorgung', en: 'Water supply' },
  { code: 'KM', de: 'Kundenmanagement', en: 'Customer management' },
] as const satisfies readonly (Label & { code: string })[];

export type AreaCode = (typeof AREAS)[number]['code'];

/**
 * The IVR's menu, numbered as the caller keys it, and the area each choice
 * belongs to. Meter readings (3) go to customer management because they feed
 * the bill; the technical topics go to water supply. An event may name the
 * area itself when a site routes otherwise.
 */
export const MENUS = [
  { number: 1, area: 'WV', de: 'Entstörungs\u00addienst', en: 'Fault service' },
  { number: 2, area: 'KM', de: 'Abrechnung/Vertrag', en: 'Billing/Contract' },
  { number: 3, area: 'KM', de: 'Wasserzähler/Zählerstand', en: 'Water meter/Reading' },
  { number: 4, area: 'WV', de: 'Hausanschlüsse', en: 'House con\u00adnections' },
  { number: 5, area: 'WV', de: 'Trinkwasser/Labor', en: 'Drinking water/Lab' },
  { number: 6, area: 'KM', de: 'Telefonzentrale', en: 'Switchboard' },
] as const satisfies readonly (Label & { number: number; area: AreaCode })[];

/**
 * What an agent can do in wrap-up, by proto ActionKind member: the keypad
 * digit, the button (its corner of the 2x2 grid on 4-button desks: up top
 * left, next top right, down bottom left, ok bottom right), the named key
 * (dashboard, DP.press, long presses), and the prefix of the reference the
 * host hands out ('' for none: READY only ends wrap-up).
 */
export const ACTIONS = [
  { kind: 'TICKET', digit: '1', button: 'up', key: 'ticket', ref: 'T', de: 'Ticket', en: 'Ticket' },
  { kind: 'LETTER', digit: '2', button: 'down', key: 'letter', ref: 'L', de: 'Brief', en: 'Letter' },
  { kind: 'FORWARD', digit: '3', button: 'next', key: 'fwd', ref: 'F', de: 'Weiterl.', en: 'Forward' },
  { kind: 'READY', digit: '0', button: 'ok', key: 'ready', ref: '', de: 'Bereit', en: 'Ready' },
] as const satisfies readonly (Label & { kind: string; digit: string; button: string; key: string; ref: string })[];

/** Phases as the desk's header and the dashboard name them, by proto Phase member. */
export const PHASES = [
  { phase: 'SIGNED_OUT', de: 'Abgemeldet', en: 'Signed out' },
  { phase: 'AVAILABLE', de: 'Bereit', en: 'Available' },
  { phase: 'RINGING', de: 'Klingelt', en: 'Ringing' },
  { phase: 'TALKING', de: 'Gespräch', en: 'Talking' },
  { phase: 'WRAP_UP', de: 'Nachbearbeitung', en: 'Wrap-up' },
  { phase: 'PAUSED', de: 'Pause', en: 'Paused' },
] as const satisfies readonly (Label & { phase: string })[];

/** Lookup failures as the desk shows them, by proto LookupStatus member (FOUND shows the address instead). */
export const LOOKUP_FAILURES = [
  { status: 'NOT_FOUND', de: 'Nicht gefunden', en: 'Not found' },
  { status: 'INVALID_NUMBER', de: 'Ungültige Nummer', en: 'Invalid number' },
  { status: 'RATE_LIMITED', de: 'Zu viele Anfragen', en: 'Too many requests' },
  { status: 'DIRECTORY_UNAVAILABLE', de: 'Verzeichnis gestört', en: 'Directory down' },
] as const satisfies readonly (Label & { status: string })[];

/** Entry keys besides the digits: the button label, the keypad key and what it does there. */
export const ENTRY_KEYS = {
  ok: { button: 'OK', keypad: '#', de: 'Suchen', en: 'Look up' },
  back: { button: '⌫', keypad: '*', de: 'Korrektur', en: 'Correct' },
} as const;

/** Keys of the 4-button desks that only move through the account number. */
export const MOVE_KEYS = ['up', 'down', 'next'] as const;

type ActionKey = (typeof ACTIONS)[number]['key'];
type DigitKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

/** Every key name a desk's input reports (board profiles, DP.press, the dashboard's buttons). */
export const KEYS: readonly (DigitKey | keyof typeof ENTRY_KEYS | (typeof MOVE_KEYS)[number] | ActionKey)[] = [
  ...('0123456789'.split('') as DigitKey[]),
  ...(Object.keys(ENTRY_KEYS) as (keyof typeof ENTRY_KEYS)[]),
  ...MOVE_KEYS,
  ...ACTIONS.map((a): ActionKey => a.key),
];

/**
 * Link steps while a desk connects, in the order the link (firmware/src/net/link.ts)
 * goes through them; the desk's start screen names the one it is at.
 */
export const NET_STEPS = [
  { step: 'link', de: 'Kein Netzwerk', en: 'No network' },
  { step: 'address', de: 'Keine IP-Adresse', en: 'No IP address' },
  { step: 'broker', de: 'Verbinde Broker', en: 'Connecting broker' },
  { step: 'refused', de: 'Broker lehnt ab', en: 'Broker refused' },
  { step: 'auth', de: 'Zugang abgelehnt', en: 'Bad credentials' },
  { step: 'online', de: 'Verbunden', en: 'Connected' },
] as const satisfies readonly (Label & { step: string })[];

/**
 * The desk's other texts, by the id its code uses (S.<id>). The order is free:
 * the generator numbers them.
 */
export const DEVICE_TEXT = {
  BOOT: { de: 'Start', en: 'Starting' },
  VER: { de: 'Version', en: 'Version' },
  STN: { de: 'Station', en: 'Station' },
  NOCFG: { de: 'Nicht eingerichtet', en: 'Not set up' },
  AREAS: { de: 'Bereiche', en: 'Areas' },
  SINCE: { de: 'seit', en: 'for' },
  NO_AGENT: { de: 'Niemand angemeldet', en: 'No agent signed in' },
  OFF: { de: 'OFFLINE', en: 'OFFLINE' },
  NO_HOST: { de: 'HOST AUS', en: 'NO HOST' },
  ACCT: { de: 'Vertragskonto:', en: 'Contract account:' },
  MORE: { de: 'noch', en: 'need' },
  /** The 4-button desks' hint while an account number is keyed in. */
  BT_HINT: { de: '^v Ziffer >weiter OK', en: '^v digit >next OK' },
  WAIT: { de: 'Suche...', en: 'Looking up...' },
  OPEN: { de: 'offen', en: 'open' },
  /** A lookup without an answer in time. */
  TIMEOUT: { de: 'Keine Antwort', en: 'No answer' },
  /** Footer while a firmware update is received, with its percentage. */
  UPDATE: { de: 'Update', en: 'Update' },
} as const satisfies Record<string, Label>;

/** The not-set-up screen cannot know the language (there is no config), so it says it in both. */
export const NOT_SET_UP_LINES = ['Keine Konfiguration.', 'Einrichten mit', 'deskphone flash', 'No config: set up', 'with deskphone flash'];

/** Defaults and limits the host and the desks share. */
export const DEFAULTS = {
  /** Wrap-up length ("fünf Minuten Nachbearbeitungszeit"). */
  wrapUpS: 300,
  /**
   * Length of a contract account number, and the lengths a site may choose.
   * 16 at most: the desk draws the number on one line (16 digits and the
   * 4-button desks' cursor fill a 128-pixel line) and shows 16 characters of
   * an account (protocol/device-limits.json), so a longer number could be
   * configured on the host but never keyed in or read on a desk.
   */
  accountDigits: 12,
  accountDigitsMin: 4,
  accountDigitsMax: 16,
} as const;

/** A label without its break hints, for anything but the desk's ringing screen. */
export function plain(text: string): string {
  return text.replaceAll('\u00ad', '');
}

/** The menu entry for a number, or undefined outside the IVR's menu. */
export function menuOf(number: number): (typeof MENUS)[number] | undefined {
  return MENUS.find((m) => m.number === number);
}

/** "3 Hauptwasserzähler/Zählerstand": a menu choice as people read it. */
export function menuLabel(number: number, lang: Lang): string {
  const menu = menuOf(number);
  return menu ? `${number} ${plain(menu[lang])}` : String(number);
}

/** Reference prefix per proto ActionKind name; kinds without one are absent. */
export const REF_PREFIX: Readonly<Record<string, string>> = Object.fromEntries(ACTIONS.filter((a) => a.ref).map((a) => [a.kind, a.ref]));

export const AREA_CODES: readonly AreaCode[] = AREAS.map((a) => a.code);
