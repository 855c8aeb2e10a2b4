// GENERATED from protocol/catalogue.ts by protocol/gen-catalogue.ts: do not edit. Regenerate with `npm run gen:proto`.
// The desk's texts, German (the hotline's language) and English, as one
// '|'-separated string per language read with tr(table, S.<id>) (i18n.ts):
// on the device a split array of both languages cost ~250 variables, one
// string of the language in use ~50. The literals stay in the function (in
// flash); only the one asked for is copied to RAM.

export const enum S {
  /** IVR menu topics: S.MENU + menu number. */
  MENU = -1,
  /** Screen titles: S.PHASE + Phase. */
  PHASE = 5,
  /** Lookup failures: S.LOOKUP + LookupStatus. */
  LOOKUP = 10,
  /** Wrap-up actions: S.ACTION + ActionKind. */
  ACTION = 15,
  /** Link steps: S.NET + index in NET_STEPS. */
  NET = 20,
  /** The keypad desks' hint while an account number is keyed in. */
  KP_HINT = 26,
  BOOT = 27,
  VER = 28,
  STN = 29,
  NOCFG = 30,
  AREAS = 31,
  SINCE = 32,
  NO_AGENT = 33,
  OFF = 34,
  NO_HOST = 35,
  ACCT = 36,
  MORE = 37,
  BT_HINT = 38,
  WAIT = 39,
  OPEN = 40,
  TIMEOUT = 41,
}

export const enum Catalogue {
  MENUS = 6,
  WRAP_UP_S = 300,
  ACCOUNT_DIGITS = 12,
  ACCOUNT_DIGITS_MIN = 4,
  ACCOUNT_DIGITS_MAX = 16,
}

/** Link steps as firmware/src/net/link.ts reports them, in the order of their strings at S.NET. */
export const NET_STEPS = 'link|address|broker|refused|auth|online';

/** The string table for a language ('en', else German). */
export function table(lang: string): string {
  if (lang === 'en') return "Fault service|Billing/Contract|Water meter/Reading|House con\u00adnections|Drinking water/Lab|Switchboard|Signed out|Available|Ringing|Talking|Wrap-up|Paused|Not found|Invalid number|Too many requests|Directory down|Ticket|Letter|Forward|Ready|No network|No IP address|Connecting broker|Broker refused|Bad credentials|Connected|#=Look up *=Correct|Starting|Version|Station|Not set up|Areas|for|No agent signed in|OFFLINE|NO HOST|Contract account:|need|^v digit >next OK|Looking up...|open|No answer";
  return "Entstörungs\u00addienst|Abrechnung/Vertrag|Wasserzähler/Zählerstand|Hausanschlüsse|Trinkwasser/Labor|Telefonzentrale|Abgemeldet|Bereit|Klingelt|Gespräch|Nachbearbeitung|Pause|Nicht gefunden|Ungültige Nummer|Zu viele Anfragen|Verzeichnis gestört|Ticket|Brief|Weiterl.|Bereit|Kein Netzwerk|Keine IP-Adresse|Verbinde Broker|Broker lehnt ab|Zugang abgelehnt|Verbunden|#=Suchen *=Korrektur|Start|Version|Station|Nicht eingerichtet|Bereiche|seit|Niemand angemeldet|OFFLINE|HOST AUS|Vertragskonto:|noch|^v Ziffer >weiter OK|Suche...|offen|Keine Antwort";
}

/** The not-set-up screen's lines, in both languages. */
export function nocfgLines(): string[] {
  return ["Keine Konfiguration.", "Einrichten mit", "deskphone flash", "No config: set up", "with deskphone flash"];
}

/** Area codes by Area value. */
export const AREA_CODES = ['', 'WV', 'KM'];

/** The wrap-up action (ActionKind) a key stands for: keypad digit, named key or button; 0 for none. */
export function actionOfKey(k: string): number {
  return k === '1' || k === 'ticket' || k === 'up' ? 1 : k === '2' || k === 'letter' || k === 'down' ? 2 : k === '3' || k === 'fwd' || k === 'next' ? 3 : k === '0' || k === 'ready' || k === 'ok' ? 4 : 0;
}

/** The wrap-up grid's actions in cell order: by keypad digit, or each button in its corner (up, next / down, ok). */
export function actionCells(keypad: boolean): number[] {
  return keypad ? [1, 2, 3, 4] : [1, 3, 2, 4];
}

/** The keypad digit of an action (ActionKind). */
export function actionDigit(kind: number): string {
  return ' 1230'.charAt(kind);
}
