// GENERATED from protocol/catalogue.ts by protocol/gen-catalogue.ts: do not edit. Regenerate with `npm run gen:proto`.
// Labels the dashboard page (app.js) shows, by language; loaded before app.js.
'use strict';

const LABELS = {
  "de": {
    "phases": {
      "SIGNED_OUT": "Abgemeldet",
      "AVAILABLE": "Bereit",
      "RINGING": "Klingelt",
      "TALKING": "Gespräch",
      "WRAP_UP": "Nachbearbeitung",
      "PAUSED": "Pause"
    },
    "topics": {
      "1": "Entstörungsdienst",
      "2": "Abrechnung/Vertrag",
      "3": "Wasserzähler/Zählerstand",
      "4": "Hausanschlüsse",
      "5": "Trinkwasser/Labor",
      "6": "Telefonzentrale"
    },
    "keys": {
      "ok": "OK",
      "back": "⌫",
      "ticket": "Ticket",
      "letter": "Brief",
      "fwd": "Weiterl.",
      "ready": "Bereit"
    },
    "keypadKeys": {
      "ok": "Suchen",
      "back": "Korrektur"
    }
  },
  "en": {
    "phases": {
      "SIGNED_OUT": "Signed out",
      "AVAILABLE": "Available",
      "RINGING": "Ringing",
      "TALKING": "Talking",
      "WRAP_UP": "Wrap-up",
      "PAUSED": "Paused"
    },
    "topics": {
      "1": "Fault service",
      "2": "Billing/Contract",
      "3": "Water meter/Reading",
      "4": "House connections",
      "5": "Drinking water/Lab",
      "6": "Switchboard"
    },
    "keys": {
      "ok": "OK",
      "back": "⌫",
      "ticket": "Ticket",
      "letter": "Letter",
      "fwd": "Forward",
      "ready": "Ready"
    },
    "keypadKeys": {
      "ok": "Look up",
      "back": "Correct"
    }
  }
};

/** Keys a virtual desk's card offers, in button order. */
const KEY_ROWS = ["1","2","3","4","5","6","7","8","9","0","back","ok","ticket","letter","fwd","ready"];

/** On a keypad module `ok` and `back` are the keys its screen names. */
const KEYPAD_LABELS = {"ok":"#","back":"*"};
