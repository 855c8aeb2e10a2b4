// UI strings, German first (the hotline's language) and English. Index by
// `T[lang]` once per view so the hot path reads plain properties.

/** Menu topics 1-6 as the IVR announces them; area is the team that takes it (1 WV, 2 KM). */
export const TOPIC_DE = ['Entstörung', 'Abrechnung/Vertrag', 'Zähler/Zählerstand', 'Hausanschluss', 'Trinkwasser/Labor', 'Zentrale'];
export const TOPIC_EN = ['Fault service', 'Billing/Contract', 'Meter/Reading', 'House connection', 'Drinking water/Lab', 'Switchboard'];

export interface Strings {
  tp: string[];
  boot: string;
  ver: string;
  stn: string;
  nocfg: string;
  idle: string;
  areas: string;
  ring: string;
  talk: string;
  wrap: string;
  pause: string;
  since: string;
  out: string;
  noAgent: string;
  off: string;
  noHost: string;
  acct: string;
  more: string;
  kpHint: string;
  btHint: string;
  wait: string;
  open: string;
  st: string[];
  tmo: string;
  tkt: string;
  ltr: string;
  fwd: string;
  rdy: string;
  net: { [step: string]: string };
}

// Lookup failures by LookupStatus value (index 2-5); FOUND shows the address instead.
export const DE: Strings = {
  tp: TOPIC_DE,
  boot: 'Start',
  ver: 'Version',
  stn: 'Station',
  nocfg: 'Nicht eingerichtet',
  idle: 'Bereit',
  areas: 'Bereiche',
  ring: 'Anruf',
  talk: 'Gespräch',
  wrap: 'Nachbearbeitung',
  pause: 'Pause',
  since: 'seit',
  out: 'Abgemeldet',
  noAgent: 'Niemand angemeldet',
  off: 'OFFLINE',
  noHost: 'HOST AUS',
  acct: 'Vertragskonto',
  more: 'noch',
  kpHint: '#=Suchen *=Korrektur',
  btHint: '^v Ziffer >weiter OK',
  wait: 'Suche...',
  open: 'offen',
  st: ['', '', 'Nicht gefunden', 'Ungültige Nummer', 'Zu viele Anfragen', 'Verzeichnis gestört'],
  tmo: 'Keine Antwort',
  tkt: 'Ticket',
  ltr: 'Brief',
  fwd: 'Weiterl.',
  rdy: 'Bereit',
  net: {
    link: 'Kein Netzwerk',
    address: 'Keine IP-Adresse',
    broker: 'Verbinde Broker',
    refused: 'Broker lehnt ab',
    auth: 'Zugang abgelehnt',
    online: 'Verbunden',
  },
};

export const EN: Strings = {
  tp: TOPIC_EN,
  boot: 'Starting',
  ver: 'Version',
  stn: 'Station',
  nocfg: 'Not set up',
  idle: 'Available',
  areas: 'Areas',
  ring: 'Call',
  talk: 'Talking',
  wrap: 'Wrap-up',
  pause: 'Paused',
  since: 'for',
  out: 'Signed out',
  noAgent: 'No agent signed in',
  off: 'OFFLINE',
  noHost: 'NO HOST',
  acct: 'Contract account',
  more: 'need',
  kpHint: '#=Look up *=Correct',
  btHint: '^v digit >next OK',
  wait: 'Looking up...',
  open: 'open',
  st: ['', '', 'Not found', 'Invalid number', 'Too many requests', 'Directory down'],
  tmo: 'No answer',
  tkt: 'Ticket',
  ltr: 'Letter',
  fwd: 'Forward',
  rdy: 'Ready',
  net: {
    link: 'No network',
    address: 'No IP address',
    broker: 'Connecting broker',
    refused: 'Broker refused',
    auth: 'Bad credentials',
    online: 'Connected',
  },
};

/** The not-set-up screen cannot know the language (there is no config), so it shows both. */
export const NOCFG_LINES = ['Keine Konfiguration.', 'Einrichten mit', 'deskphone flash', 'No config: set up', 'with deskphone flash'];
