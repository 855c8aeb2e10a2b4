// Generates, from the catalogue (protocol/catalogue.ts) and the contract's
// enum numbers, what cannot import the catalogue itself: the desk's string
// table with its ids and the catalogue's rules as code over bare numbers
// (firmware/src/core/text.generated.ts), and the dashboard's labels as plain
// browser JavaScript (provisioner/dashboard/public/labels.generated.js).
// Run through `npm run gen:proto` (protocol/gen-device-tables.ts).

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type protobuf from 'protobufjs';
import {
  ACTIONS,
  AREAS,
  DEFAULTS,
  DEVICE_TEXT,
  ENTRY_KEYS,
  KEYS,
  LOOKUP_FAILURES,
  MENUS,
  NET_STEPS,
  NOT_SET_UP_LINES,
  PHASES,
  plain,
  type Label,
  type Lang,
} from './catalogue.ts';
import { loadSchema, PROTO_PATH } from './schema.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEVICE_TEXT_PATH = join(ROOT, 'firmware', 'src', 'core', 'text.generated.ts');
export const DASHBOARD_LABELS_PATH = join(ROOT, 'provisioner', 'dashboard', 'public', 'labels.generated.js');

const BANNER = '// GENERATED from protocol/catalogue.ts by protocol/gen-catalogue.ts: do not edit. Regenerate with `npm run gen:proto`.';

/** The catalogue's entries for one proto enum, checked both ways: each names a member, each member but the unspecified (and `unshown`) has one. */
function numbered<T>(ns: protobuf.Namespace, enumName: string, entries: readonly T[], nameOf: (e: T) => string, unshown: string[] = []): [number, T][] {
  const values = (ns.lookupEnum(enumName) as protobuf.Enum).values;
  const named = new Set(entries.map(nameOf));
  for (const name of named) {
    if (!Object.hasOwn(values, name)) throw new Error(`protocol/catalogue.ts names ${enumName} "${name}", which protocol/deskphone.proto does not have; add it to enum ${enumName} there`);
  }
  for (const [name, value] of Object.entries(values)) {
    if (value !== 0 && !unshown.includes(name) && !named.has(name)) throw new Error(`${enumName} ${name} of protocol/deskphone.proto has no entry in protocol/catalogue.ts; add one`);
  }
  return entries.map((e) => [values[nameOf(e)], e] as [number, T]).sort((a, b) => a[0] - b[0]);
}

/** The catalogue with each entry's wire number; throws where catalogue and contract disagree. */
export function numberedCatalogue(protoPath = PROTO_PATH) {
  const ns = loadSchema(protoPath);
  const numbers = MENUS.map((m) => m.number);
  if (numbers.some((n, i) => n !== i + 1)) throw new Error('protocol/catalogue.ts: MENUS must be numbered 1, 2, 3, ... in order (the IVR keys them so)');
  return {
    areas: numbered(ns, 'Area', AREAS, (a) => a.code),
    actions: numbered(ns, 'ActionKind', ACTIONS, (a) => a.kind),
    phases: numbered(ns, 'Phase', PHASES, (p) => p.phase),
    failures: numbered(ns, 'LookupStatus', LOOKUP_FAILURES, (f) => f.status, ['FOUND']),
  };
}

/** Entries placed at their number in one run of the table ('' where a number has none); returns the id of number 0. */
function block(texts: Label[], start: number, items: [number, Label][]): number {
  const base = texts.length - start;
  for (const [n, label] of items) {
    while (texts.length < base + n) texts.push({ de: '', en: '' });
    texts.push(label);
  }
  return base;
}

/** The complete text of firmware/src/core/text.generated.ts. */
export function generateDeviceText(protoPath = PROTO_PATH): string {
  const { areas, actions, phases, failures } = numberedCatalogue(protoPath);
  for (const m of MENUS) {
    for (const text of [m.de, m.en]) {
      // The ringing screen breaks a topic at its first slash and first soft hyphen only.
      if (text.split('/').length > 2 || text.split('\u00ad').length > 2) throw new Error(`protocol/catalogue.ts: menu ${m.number} "${plain(text)}" may have one "/" and one soft hyphen at most`);
    }
  }
  const texts: Label[] = [];
  const ids: [string, number, string][] = [];
  const at = (id: string, doc: string, n: number) => ids.push([id, n, doc]);
  at('MENU', 'IVR menu topics: S.MENU + menu number', block(texts, 1, MENUS.map((m) => [m.number, m])));
  at('PHASE', 'Screen titles: S.PHASE + Phase', block(texts, phases[0][0], phases));
  at('LOOKUP', 'Lookup failures: S.LOOKUP + LookupStatus', block(texts, failures[0][0], failures));
  at('ACTION', 'Wrap-up actions: S.ACTION + ActionKind', block(texts, actions[0][0], actions));
  at('NET', 'Link steps: S.NET + index in NET_STEPS', texts.length);
  texts.push(...NET_STEPS);
  const hint = (lang: Lang) => Object.values(ENTRY_KEYS).map((k) => `${k.keypad}=${k[lang]}`).join(' ');
  at('KP_HINT', "The keypad desks' hint while an account number is keyed in", texts.length);
  texts.push({ de: hint('de'), en: hint('en') });
  for (const [id, label] of Object.entries(DEVICE_TEXT)) {
    at(id, '', texts.length);
    texts.push(label);
  }
  for (const t of texts) {
    for (const text of [t.de, t.en]) if (text.includes('|')) throw new Error(`protocol/catalogue.ts: "${text}" contains "|", which separates the device's strings`);
  }
  // Soft hyphens written out: invisible in an editor otherwise.
  const joined = (lang: Lang) => JSON.stringify(texts.map((t) => t[lang]).join('|')).replaceAll('\u00ad', '\\u00ad');
  const areaCodes: string[] = [];
  for (const [n, a] of areas) areaCodes[n] = a.code;
  for (const [n, a] of actions) {
    // One character per kind in the strings below; a key must not contain their separators.
    if (n > 9) throw new Error(`protocol/catalogue.ts: ActionKind ${a.kind} = ${n}; the desk's action strings hold one digit per kind (1-9)`);
    for (const k of [a.digit, a.key, a.button]) if (/[ :]/.test(k)) throw new Error(`protocol/catalogue.ts: action key "${k}" may not contain a space or ":"`);
  }
  const byKey = actions.flatMap(([n, a]) => [a.digit, a.key, a.button].map((k) => ` ${k}:${n}`)).join('');
  const byKind = (f: (a: (typeof ACTIONS)[number]) => string) => {
    let s = '';
    for (const [n, a] of actions) s = s.padEnd(n, ' ') + f(a);
    return s;
  };
  const corners = ['up', 'next', 'down', 'ok'];
  const buttonCells = corners.map((b) => {
    const hit = actions.find(([, a]) => a.button === b);
    if (!hit) throw new Error(`protocol/catalogue.ts: no wrap-up action on button "${b}" (each corner of the grid needs one)`);
    return hit[0];
  });
  return [
    BANNER,
    '// The desk\'s texts, German (the hotline\'s language) and English, as one',
    "// '|'-separated string per language read with tr(table, S.<id>) (i18n.ts):",
    '// on the device a split array of both languages cost ~250 variables, one',
    '// string of the language in use ~50. The literals stay in the function (in',
    '// flash); only the one asked for is copied to RAM.',
    '',
    'export const enum S {',
    ...ids.flatMap(([id, n, doc]) => [...(doc ? [`  /** ${doc}. */`] : []), `  ${id} = ${n},`]),
    '}',
    '',
    'export const enum Catalogue {',
    `  MENUS = ${MENUS.length},`,
    `  WRAP_UP_S = ${DEFAULTS.wrapUpS},`,
    `  ACCOUNT_DIGITS = ${DEFAULTS.accountDigits},`,
    `  ACCOUNT_DIGITS_MIN = ${DEFAULTS.accountDigitsMin},`,
    `  ACCOUNT_DIGITS_MAX = ${DEFAULTS.accountDigitsMax},`,
    '}',
    '',
    '/** Link steps as firmware/src/net/link.ts reports them, in the order of their strings at S.NET. */',
    `export const NET_STEPS = '${NET_STEPS.map((s) => s.step).join('|')}';`,
    '',
    "/** The string table for a language ('en', else German). */",
    'export function table(lang: string): string {',
    `  if (lang === 'en') return ${joined('en')};`,
    `  return ${joined('de')};`,
    '}',
    '',
    '/** The not-set-up screen\'s lines, in both languages. */',
    'export function nocfgLines(): string[] {',
    `  return [${NOT_SET_UP_LINES.map((l) => JSON.stringify(l)).join(', ')}];`,
    '}',
    '',
    '/** Area codes by Area value. */',
    `export const AREA_CODES = [${Array.from(areaCodes, (c) => `'${c ?? ''}'`).join(', ')}];`,
    '',
    // Strings, not functions or arrays: esbuild writes a const enum's value
    // where it is used, so the bundle holds them as literals in its code and
    // they take no variables after a call (three small functions took 18).
    '/** The wrap-up actions (ActionKind, one digit each) as strings the firmware reads with indexOf and charAt. */',
    'export const enum Actions {',
    "  /** ' key:kind' for each key that triggers an action: keypad digit, named key, button. */",
    `  BY_KEY = '${byKey}',`,
    "  /** The keypad desks' grid, kinds in cell order (by digit). */",
    `  KEYPAD_CELLS = '${actions.map(([n]) => n).join('')}',`,
    "  /** The 4-button desks' grid, kinds in cell order: each button in its corner (up, next / down, ok). */",
    `  BUTTON_CELLS = '${buttonCells.join('')}',`,
    '  /** The keypad digit at each kind. */',
    `  DIGIT = '${byKind((a) => a.digit)}',`,
    '}',
    '',
  ].join('\n');
}

/** The complete text of provisioner/dashboard/public/labels.generated.js. */
export function generateDashboardLabels(protoPath = PROTO_PATH): string {
  const { phases, actions } = numberedCatalogue(protoPath);
  const labels = (lang: Lang) => ({
    phases: Object.fromEntries(phases.map(([, p]) => [p.phase, p[lang]])),
    topics: Object.fromEntries(MENUS.map((m) => [m.number, plain(m[lang])])),
    keys: {
      ...Object.fromEntries(Object.entries(ENTRY_KEYS).map(([key, k]) => [key, k.button])),
      ...Object.fromEntries(actions.map(([, a]) => [a.key, a[lang]])),
    },
    keypadKeys: Object.fromEntries(Object.entries(ENTRY_KEYS).map(([key, k]) => [key, k[lang]])),
  });
  // The digits, then correct and look up, then the actions: how the card lays its buttons out.
  const rows = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', 'back', 'ok', ...actions.map(([, a]) => a.key)];
  if (rows.some((k) => !(KEYS as readonly string[]).includes(k))) throw new Error('dashboard key rows name a key the catalogue does not have');
  return [
    BANNER,
    '// Labels the dashboard page (app.js) shows, by language; loaded before app.js.',
    "'use strict';",
    '',
    `const LABELS = ${JSON.stringify({ de: labels('de'), en: labels('en') }, null, 2)};`,
    '',
    '/** Keys a virtual desk\'s card offers, in button order. */',
    `const KEY_ROWS = ${JSON.stringify(rows)};`,
    '',
    "/** On a keypad module `ok` and `back` are the keys its screen names. */",
    `const KEYPAD_LABELS = ${JSON.stringify(Object.fromEntries(Object.entries(ENTRY_KEYS).map(([key, k]) => [key, k.keypad])))};`,
    '',
  ].join('\n');
}

/** The catalogue's generated files with their text. */
export function generatedFiles(): [path: string, text: string][] {
  return [
    [DEVICE_TEXT_PATH, generateDeviceText()],
    [DASHBOARD_LABELS_PATH, generateDashboardLabels()],
  ];
}
