// Board profiles: the one description of each supported build, read by the
// firmware build (baked into the bundle as __BOARD__), the simulator, the
// flasher and the docs. The JSON Schema in board.schema.json is generated from
// `boardSchema` below (test/board-schema.test.ts fails when it is stale), and
// `validateBoard` interprets that same schema, so the type, the schema and the
// validator cannot drift apart silently.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BOARDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'boards');
export const SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), 'board.schema.json');

/** Keys the firmware understands (DP.press and the input adapters use the same names). */
export const KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'ok', 'back', 'up', 'down', 'next', 'ready', 'ticket', 'letter', 'fwd'] as const;
export type Key = (typeof KEYS)[number];

/** Pin names as Espruino spells them: D0-D47, A0-A7, BTN1-BTN4, LED1-LED3. */
export type Pin = string;

export interface BoardProfile {
  name: string;
  title: string;
  /** process.env.BOARD the interpreter must report before we flash this profile. */
  espruinoBoard: 'PIXLJS' | 'ESP32' | 'LINUX';
  /**
   * The Espruino firmware the board must run: its build (the release names it
   * espruino_<version>_<build>) and the built-in modules the bundle needs from
   * it (process.env.MODULES), checked by `deskphone flash` before it writes.
   */
  firmware: { build: string; modules: string[] };
  display: {
    driver: 'st7567' | 'ssd1306' | 'st7789' | 'buffer';
    width: number;
    height: number;
    /** Depth of the Graphics buffer the firmware draws into. */
    bpp: 1;
    bus:
      | { kind: 'builtin' }
      | { kind: 'none' }
      | { kind: 'i2c'; sda: Pin; scl: Pin; addr: number }
      | { kind: 'spi'; mosi: Pin; sck: Pin; cs: Pin; dc: Pin; rst: Pin; bl?: Pin };
  };
  input:
    | { kind: 'buttons'; buttons: { pin: Pin; key: Key; long?: Key }[] }
    | { kind: 'keypad'; rows: Pin[]; cols: Pin[]; keys: Key[][]; long?: Partial<Record<Key, Key>> }
    | { kind: 'repl' };
  buzzer: Pin | null;
  led: Pin | null;
  network:
    | { kind: 'w5100'; mosi: Pin; miso: Pin; sck: Pin; cs: Pin }
    | { kind: 'wifi' }
    | { kind: 'native' };
  budget: {
    /** Interpreter variables (blocks) the board has. */
    variables: number;
    /** Bytes of Storage (flash) free for files. */
    storageBytes: number;
    /** Largest bundle the build accepts for this board. */
    codeBytes: number;
  };
  notes?: string;
}

const pin = { type: 'string', pattern: '^(D[0-9]{1,2}|A[0-7]|BTN[1-4]|LED[1-3])$', description: 'an Espruino pin name (D0-D47, A0-A7, BTN1-BTN4, LED1-LED3)' };
const key = { type: 'string', enum: [...KEYS] };
const positive = { type: 'integer', minimum: 1 };

function variant(kind: string, props: Record<string, unknown>, required: string[]) {
  return {
    type: 'object',
    properties: { kind: { const: kind }, ...props },
    required: ['kind', ...required],
    additionalProperties: false,
  };
}

/** The JSON Schema for a board profile (draft 2020-12 subset that validateBoard understands). */
export const boardSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://deskphone.invalid/hardware/board.schema.json',
  title: 'deskphone board profile',
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    title: { type: 'string', minLength: 1 },
    espruinoBoard: { type: 'string', enum: ['PIXLJS', 'ESP32', 'LINUX'] },
    firmware: {
      type: 'object',
      properties: {
        build: { type: 'string', pattern: '^[a-z0-9_]+$', description: 'an Espruino build name (e.g. pixljs_wiznet)' },
        modules: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]*$', description: 'a built-in module name (e.g. WIZnet)' } },
      },
      required: ['build', 'modules'],
      additionalProperties: false,
    },
    display: {
      type: 'object',
      properties: {
        driver: { type: 'string', enum: ['st7567', 'ssd1306', 'st7789', 'buffer'] },
        width: { type: 'integer', minimum: 64, maximum: 480 },
        height: { type: 'integer', minimum: 32, maximum: 320 },
        bpp: { const: 1 },
        bus: {
          oneOf: [
            variant('builtin', {}, []),
            variant('none', {}, []),
            variant('i2c', { sda: pin, scl: pin, addr: { type: 'integer', minimum: 8, maximum: 119 } }, ['sda', 'scl', 'addr']),
            variant('spi', { mosi: pin, sck: pin, cs: pin, dc: pin, rst: pin, bl: pin }, ['mosi', 'sck', 'cs', 'dc', 'rst']),
          ],
        },
      },
      required: ['driver', 'width', 'height', 'bpp', 'bus'],
      additionalProperties: false,
    },
    input: {
      oneOf: [
        variant(
          'buttons',
          {
            buttons: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                properties: { pin, key, long: key },
                required: ['pin', 'key'],
                additionalProperties: false,
              },
            },
          },
          ['buttons'],
        ),
        variant(
          'keypad',
          {
            rows: { type: 'array', minItems: 1, items: pin },
            cols: { type: 'array', minItems: 1, items: pin },
            keys: { type: 'array', minItems: 1, items: { type: 'array', minItems: 1, items: key } },
            long: { type: 'object', propertyNames: key, additionalProperties: key },
          },
          ['rows', 'cols', 'keys'],
        ),
        variant('repl', {}, []),
      ],
    },
    buzzer: { oneOf: [pin, { type: 'null' }] },
    led: { oneOf: [pin, { type: 'null' }] },
    network: {
      oneOf: [
        variant('w5100', { mosi: pin, miso: pin, sck: pin, cs: pin }, ['mosi', 'miso', 'sck', 'cs']),
        variant('wifi', {}, []),
        variant('native', {}, []),
      ],
    },
    budget: {
      type: 'object',
      properties: { variables: positive, storageBytes: positive, codeBytes: positive },
      required: ['variables', 'storageBytes', 'codeBytes'],
      additionalProperties: false,
    },
    notes: { type: 'string' },
  },
  required: ['name', 'title', 'espruinoBoard', 'firmware', 'display', 'input', 'buzzer', 'led', 'network', 'budget'],
  additionalProperties: false,
};

// Compile-time agreement between the interface and the schema's field names:
// adding a field to one and not the other fails `tsc`.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesType: [
  SameKeys<keyof typeof boardSchema.properties, keyof BoardProfile>,
  SameKeys<keyof typeof boardSchema.properties.display.properties, keyof BoardProfile['display']>,
  SameKeys<keyof typeof boardSchema.properties.budget.properties, keyof BoardProfile['budget']>,
] = [true, true, true];
void schemaMatchesType;

type Schema = Record<string, any>;

/**
 * Problems with `value` against `schema`, each naming the JSON path. Implements
 * the keywords boardSchema uses; for `oneOf` it reports the branch whose
 * `kind` matches, so errors read "display.bus.sda ..." rather than "no branch matched".
 */
export function schemaProblems(value: unknown, schema: Schema, path = ''): string[] {
  const at = path || '(profile)';
  if (schema.oneOf) {
    const branches: Schema[] = schema.oneOf;
    const results = branches.map((b) => schemaProblems(value, b, path));
    if (results.some((r) => r.length === 0)) return [];
    const kind = value && typeof value === 'object' ? (value as Record<string, unknown>).kind : undefined;
    const byKind = branches.findIndex((b) => b.properties?.kind?.const === kind);
    if (byKind >= 0) return results[byKind];
    const kinds = branches.map((b) => b.properties?.kind?.const).filter((k) => k !== undefined);
    if (kinds.length) return [`${at}: "kind" must be one of ${kinds.map((k) => JSON.stringify(k)).join(', ')}`];
    return [`${at}: must be ${branches.map(describeType).join(' or ')}`];
  }
  if ('const' in schema && value !== schema.const) return [`${at}: must be ${JSON.stringify(schema.const)}`];
  if (schema.enum && !schema.enum.includes(value)) {
    return [`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.map((e: unknown) => JSON.stringify(e)).join(', ')}`];
  }
  switch (schema.type) {
    case 'null':
      return value === null ? [] : [`${at}: must be null`];
    case 'string': {
      if (typeof value !== 'string') return [`${at}: must be a string`];
      if (schema.minLength && value.length < schema.minLength) return [`${at}: must not be empty`];
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) {
        return [`${at}: ${JSON.stringify(value)} is not ${schema.description ?? 'matching ' + schema.pattern}`];
      }
      return [];
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return [`${at}: must be an integer`];
      if (schema.minimum !== undefined && value < schema.minimum) return [`${at}: ${value} is below the minimum ${schema.minimum}`];
      if (schema.maximum !== undefined && value > schema.maximum) return [`${at}: ${value} is above the maximum ${schema.maximum}`];
      return [];
    }
    case 'array': {
      if (!Array.isArray(value)) return [`${at}: must be an array`];
      if (schema.minItems && value.length < schema.minItems) return [`${at}: needs at least ${schema.minItems} item(s)`];
      return value.flatMap((item, i) => schemaProblems(item, schema.items, `${path}[${i}]`));
    }
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${at}: must be an object`];
      const obj = value as Record<string, unknown>;
      const problems: string[] = [];
      for (const name of schema.required ?? []) {
        if (!(name in obj)) problems.push(`${join2(path, name)}: is missing`);
      }
      for (const [name, v] of Object.entries(obj)) {
        const sub = schema.properties?.[name];
        if (sub) problems.push(...schemaProblems(v, sub, join2(path, name)));
        else if (schema.propertyNames || schema.additionalProperties) {
          if (schema.propertyNames) problems.push(...schemaProblems(name, schema.propertyNames, join2(path, name) + ' (name)'));
          if (typeof schema.additionalProperties === 'object') problems.push(...schemaProblems(v, schema.additionalProperties, join2(path, name)));
        } else if (schema.additionalProperties === false) {
          problems.push(`${join2(path, name)}: unknown field (allowed: ${Object.keys(schema.properties ?? {}).join(', ')})`);
        }
      }
      return problems;
    }
    default:
      return [];
  }
}

function join2(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function describeType(s: Schema): string {
  return s.type === 'null' ? 'null' : s.description ?? s.type ?? 'a valid value';
}

/** Checks the rules a schema cannot express: sizes that must agree across fields. */
function consistencyProblems(b: BoardProfile): string[] {
  const problems: string[] = [];
  if (b.input.kind === 'keypad') {
    const { rows, cols, keys } = b.input;
    if (keys.length !== rows.length) problems.push(`input.keys: has ${keys.length} rows but input.rows lists ${rows.length} pins`);
    keys.forEach((row, i) => {
      if (row.length !== cols.length) problems.push(`input.keys[${i}]: has ${row.length} keys but input.cols lists ${cols.length} pins`);
    });
  }
  if (b.budget.codeBytes > b.budget.storageBytes) {
    problems.push(`budget.codeBytes: ${b.budget.codeBytes} does not fit budget.storageBytes ${b.budget.storageBytes}`);
  }
  return problems;
}

export class BoardError extends Error {}

/** Returns the profile typed, or throws BoardError listing every problem with its field path. */
export function validateBoard(value: unknown, source = 'board profile'): BoardProfile {
  let problems = schemaProblems(value, boardSchema);
  if (!problems.length) problems = consistencyProblems(value as BoardProfile);
  if (problems.length) throw new BoardError(`${source} is invalid:\n  - ${problems.join('\n  - ')}`);
  return value as BoardProfile;
}

export function boardNames(dir = BOARDS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadBoard(name: string, dir = BOARDS_DIR): BoardProfile {
  const file = join(dir, name + '.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const known = boardNames(dir).join(', ');
    throw new BoardError(`cannot read board profile ${file} (${(err as Error).message}); known boards: ${known}`);
  }
  const board = validateBoard(raw, file);
  if (board.name !== name) throw new BoardError(`${file}: "name" is "${board.name}" but the file is named for "${name}"`);
  return board;
}

export function loadBoards(dir = BOARDS_DIR): BoardProfile[] {
  return boardNames(dir).map((n) => loadBoard(n, dir));
}

/** The text of board.schema.json as generated from boardSchema. */
export function renderBoardSchema(): string {
  return JSON.stringify(boardSchema, null, 2) + '\n';
}
