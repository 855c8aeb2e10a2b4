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
  UPDATE = 42,
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
  if (lang === 'en') return "Fault service|Billing/Contract|Water meter/Reading|House con\u00adnections|Drinking water/Lab|Switchboard|Signed out|Available|Ringing|Talking|Wrap-up|Paused|Not found|Invalid number|Too many requests|Directory down|Ticket|Letter|Forward|Ready|No network|No IP address|Connecting broker|Broker refused|Bad credentials|Connected|#=Look up *=Correct|Starting|Version|Station|Not set up|Areas|for|No agent signed in|OFFLINE|NO HOST|Contract account:|need|^v digit >next OK|Looking up...|open|No answer|Update";
  return "Entstörungs\u00addienst|Abrechnung/Vertrag|Wasserzähler/Zählerstand|Hausanschlüsse|Trinkwasser/Labor|Telefonzentrale|Abgemeldet|Bereit|Klingelt|Gespräch|Nachbearbeitung|Pause|Nicht gefunden|Ungültige Nummer|Zu viele Anfragen|Verzeichnis gestört|Ticket|Brief|Weiterl.|Bereit|Kein Netzwerk|Keine IP-Adresse|Verbinde Broker|Broker lehnt ab|Zugang abgelehnt|Verbunden|#=Suchen *=Korrektur|Start|Version|Station|Nicht eingerichtet|Bereiche|seit|Niemand angemeldet|OFFLINE|HOST AUS|Vertragskonto:|noch|^v Ziffer >weiter OK|Suche...|offen|Keine Antwort|Update";
}

/** The not-set-up screen's lines, in both languages. */
export function nocfgLines(): string[] {
  return ["Keine Konfiguration.", "Einrichten mit", "deskphone flash", "No config: set up", "with deskphone flash"];
}

/** Area codes by Area value. */
export const AREA_CODES = ['', 'WV', 'KM'];

/** The wrap-up actions (ActionKind, one digit each) as strings the firmware reads with indexOf and charAt. */
export const enum Actions {
  /** ' key:kind' for each key that triggers an action: keypad digit, named key, button. */
  BY_KEY = ' 1:1 ticket:1 up:1 2:2 letter:2 down:2 3:3 fwd:3 next:3 0:4 ready:4 ok:4',
  /** The keypad desks' grid, kinds in cell order (by digit). */
  KEYPAD_CELLS = '1234',
  /** The 4-button desks' grid, kinds in cell order: each button in its corner (up, next / down, ok). */
  BUTTON_CELLS = '1324',
  /** The keypad digit at each kind. */
  DIGIT = ' 1230',
}
