// UI strings, German first (the hotline's language) and English, as one
// '|'-separated string per language, read with tr(table, id). On the device
// a split array of both languages cost ~250 variables; one string of the
// language in use costs ~50. The table for people is in firmware/README.md.

export const enum S {
  // Menu topics 1-6 as the IVR announces them (index menu - 1).
  TOPIC = 0,
  BOOT = 6,
  VER,
  STN,
  NOCFG,
  IDLE,
  AREAS,
  RING,
  TALK,
  WRAP,
  PAUSE,
  SINCE,
  OUT,
  NO_AGENT,
  OFF,
  NO_HOST,
  ACCT,
  MORE,
  KP_HINT,
  BT_HINT,
  WAIT,
  OPEN,
  /** Lookup failures by LookupStatus (NOT_FOUND=2 .. DIRECTORY_UNAVAILABLE=5) at ST + status. */
  ST = 27,
  TIMEOUT = 33,
  TICKET,
  LETTER,
  FORWARD,
  READY,
  /** Link steps in the order of NET_STEPS. */
  NET,
}

/** Link steps as firmware/src/net/link.ts reports them, '|'-separated in the order of their strings at S.NET. */
export const NET_STEPS = 'link|address|broker|refused|auth|online';

/**
 * The string table for a language ('en', else German). The literals stay in
 * the code (in flash on the device); only the one asked for is copied to RAM.
 */
export function table(lang: string): string {
  if (lang === 'en') {
    return (
      'Fault service|Billing/Contract|Meter/Reading|House connection|Drinking water/Lab|Switchboard|' +
      'Starting|Version|Station|Not set up|Available|Areas|Call|Talking|Wrap-up|Paused|for|Signed out|' +
      'No agent signed in|OFFLINE|NO HOST|Contract account:|need|#=Look up *=Correct|^v digit >next OK|Looking up...|open|' +
      '||Not found|Invalid number|Too many requests|Directory down|' +
      'No answer|Ticket|Letter|Forward|Ready|' +
      'No network|No IP address|Connecting broker|Broker refused|Bad credentials|Connected'
    );
  }
  return (
    'Entstörung|Abrechnung/Vertrag|Zähler/Zählerstand|Hausanschluss|Trinkwasser/Labor|Zentrale|' +
    'Start|Version|Station|Nicht eingerichtet|Bereit|Bereiche|Anruf|Gespräch|Nachbearbeitung|Pause|seit|Abgemeldet|' +
    'Niemand angemeldet|OFFLINE|HOST AUS|Vertragskonto:|noch|#=Suchen *=Korrektur|^v Ziffer >weiter OK|Suche...|offen|' +
    '||Nicht gefunden|Ungültige Nummer|Zu viele Anfragen|Verzeichnis gestört|' +
    'Keine Antwort|Ticket|Brief|Weiterl.|Bereit|' +
    'Kein Netzwerk|Keine IP-Adresse|Verbinde Broker|Broker lehnt ab|Zugang abgelehnt|Verbunden'
  );
}

/** String `id` of a table. */
export function tr(t: string, id: number): string {
  let a = 0;
  for (let i = 0; i < id; i++) a = t.indexOf('|', a) + 1;
  const b = t.indexOf('|', a);
  return b < 0 ? t.substring(a) : t.substring(a, b);
}

/** The not-set-up screen cannot know the language (there is no config), so it shows both. */
export function nocfgLines(): string[] {
  return ['Keine Konfiguration.', 'Einrichten mit', 'deskphone flash', 'No config: set up', 'with deskphone flash'];
}
