// Board profiles: the one description of each supported build, read by the
// firmware build (baked into the bundle as __BOARD__), the simulator, the
// flasher and the docs. `BoardSchema` below is the one declaration: the type
// (BoardProfile), the JSON Schema in board.schema.json (generated from it;
// test/board-schema.test.ts fails when it is stale) and the check
// (validateBoard) all come from it.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { KEYS } from '../protocol/catalogue.ts';
import { fieldPath, patterned, type RawIssue } from '../lib/zod-problems.ts';
import { BOARD_PINS, describeBoardPins, pinFromString } from './espruino-pins.ts';

export const BOARDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'boards');
export const SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), 'board.schema.json');

/** Keys the firmware understands (DP.press and the input adapters use the same names), from the catalogue. */
export { KEYS };
export type Key = (typeof KEYS)[number];

const pin = patterned(/^(D[0-9]{1,2}|A[0-7]|BTN[1-4]|LED[1-3])$/, 'an Espruino pin name (D0-D47, A0-A7, BTN1-BTN4, LED1-LED3)');
/** Pin names as Espruino spells them: D0-D47, A0-A7, BTN1-BTN4, LED1-LED3. */
export type Pin = z.infer<typeof pin>;
const key = z.enum(KEYS);
const positive = z.int().min(1);

/** One kind of a part (display bus, input, network): `kind` names it, and only its own fields are allowed. */
function variant<K extends string, S extends z.ZodRawShape>(kind: K, shape: S) {
  return z.strictObject({ kind: z.literal(kind), ...shape });
}

export const BoardSchema = z
  .strictObject({
    name: patterned(/^[a-z0-9][a-z0-9-]*$/, 'a profile name (lower case, digits and -)'),
    title: z.string().min(1),
    /** process.env.BOARD the interpreter must report before we flash this profile. */
    espruinoBoard: z.enum(['PIXLJS', 'ESP32', 'LINUX']),
    /**
     * The Espruino firmware the board must run: its build (the release names it
     * espruino_<version>_<build>) and the built-in modules the bundle needs from
     * it (process.env.MODULES), checked by `deskphone flash` before it writes.
     */
    firmware: z.strictObject({
      build: patterned(/^[a-z0-9_]+$/, 'an Espruino build name (e.g. pixljs_wiznet)'),
      modules: z.array(patterned(/^[A-Za-z][A-Za-z0-9]*$/, 'a built-in module name (e.g. WIZnet)')),
    }),
    display: z.strictObject({
      driver: z.enum(['st7567', 'ssd1306', 'st7789', 'buffer']),
      width: z.int().min(64).max(480),
      height: z.int().min(32).max(320),
      /** Depth of the Graphics buffer the firmware draws into. */
      bpp: z.literal(1),
      bus: z.discriminatedUnion('kind', [
        variant('builtin', {}),
        variant('none', {}),
        variant('i2c', { sda: pin, scl: pin, addr: z.int().min(8).max(119) }),
        variant('spi', { mosi: pin, sck: pin, cs: pin, dc: pin, rst: pin, bl: pin.optional() }),
      ]),
    }),
    input: z.discriminatedUnion('kind', [
      variant('buttons', { buttons: z.array(z.strictObject({ pin, key, long: key.optional() })).min(1) }),
      variant('keypad', { rows: z.array(pin).min(1), cols: z.array(pin).min(1), keys: z.array(z.array(key).min(1)).min(1), long: z.partialRecord(key, key).optional() }),
      variant('repl', {}),
    ]),
    buzzer: pin.nullable(),
    led: pin.nullable(),
    network: z.discriminatedUnion('kind', [variant('w5100', { mosi: pin, miso: pin, sck: pin, cs: pin }), variant('wifi', {}), variant('native', {})]),
    budget: z.strictObject({
      /** Interpreter variables (blocks) the board has. */
      variables: positive,
      /** Bytes of Storage (flash) free for files. */
      storageBytes: positive,
      /** Largest bundle the build accepts for this board. */
      codeBytes: positive,
    }),
    notes: z.string().optional(),
  })
  .meta({ title: 'deskphone board profile' });

export type BoardProfile = z.output<typeof BoardSchema>;

const TYPE_NAMES = { object: 'an object', array: 'an array', int: 'an integer', number: 'an integer' };

/** A fault in the words a profile's author reads: what is missing, unknown or out of range. */
function boardProblem(issue: RawIssue): string | undefined {
  const shown = JSON.stringify(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is missing';
      return `must be ${(TYPE_NAMES as Record<string, string>)[issue.expected] ?? 'a ' + issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `${shown} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      return issue.origin === 'array' ? `needs at least ${issue.minimum} item(s)` : `${shown} is below the minimum ${issue.minimum}`;
    case 'too_big':
      return `${shown} is above the maximum ${issue.maximum}`;
    case 'invalid_union':
      return `"kind" must be one of ${((issue as { options?: unknown[] }).options ?? []).map((o) => JSON.stringify(o)).join(', ')}`;
    case 'unrecognized_keys': {
      const allowed = issue.schema?.shape ? Object.keys(issue.schema.shape) : ((issue.schema as { keyType?: { options?: string[] } } | undefined)?.keyType?.options ?? []);
      return `unknown field (allowed: ${allowed.join(', ')})`;
    }
    default:
      return undefined;
  }
}

/** The schema's faults in `value`, each as "field.path: problem". */
function schemaProblems(value: unknown): string[] {
  const result = BoardSchema.safeParse(value, { error: boardProblem });
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${fieldPath([...issue.path, k])}: ${issue.message}`);
    // a part of unknown kind: the part is at fault, not its "kind" field alone
    const path = issue.code === 'invalid_union' ? issue.path.slice(0, -1) : issue.path;
    return [`${fieldPath(path) || '(profile)'}: ${issue.message}`];
  });
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
  for (const [path, name] of pinFields(b)) {
    if (!BOARD_PINS[b.espruinoBoard].devices[name] && !pinFromString(name, b.espruinoBoard)) {
      problems.push(`${path}: ${b.espruinoBoard} has no pin ${name} (its pins: ${describeBoardPins(b.espruinoBoard)})`);
    }
  }
  if (b.budget.codeBytes > b.budget.storageBytes) {
    problems.push(`budget.codeBytes: ${b.budget.codeBytes} does not fit budget.storageBytes ${b.budget.storageBytes}`);
  }
  return problems;
}

/** Every pin the profile names, with its field path. */
export function pinFields(b: BoardProfile): [string, Pin][] {
  const out: [string, Pin][] = [];
  const bus = b.display.bus as Record<string, unknown>;
  for (const k of ['sda', 'scl', 'mosi', 'sck', 'cs', 'dc', 'rst', 'bl']) if (typeof bus[k] === 'string') out.push(['display.bus.' + k, bus[k] as Pin]);
  if (b.input.kind === 'buttons') b.input.buttons.forEach((btn, i) => out.push([`input.buttons[${i}].pin`, btn.pin]));
  if (b.input.kind === 'keypad') {
    b.input.rows.forEach((p, i) => out.push([`input.rows[${i}]`, p]));
    b.input.cols.forEach((p, i) => out.push([`input.cols[${i}]`, p]));
  }
  if (b.buzzer) out.push(['buzzer', b.buzzer]);
  if (b.led) out.push(['led', b.led]);
  const net = b.network as Record<string, unknown>;
  for (const k of ['mosi', 'miso', 'sck', 'cs']) if (typeof net[k] === 'string') out.push(['network.' + k, net[k] as Pin]);
  return out;
}

export class BoardError extends Error {}

/** Returns the profile typed, or throws BoardError listing every problem with its field path. */
export function validateBoard(value: unknown, source = 'board profile'): BoardProfile {
  let problems = schemaProblems(value);
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

/** The text of board.schema.json as generated from BoardSchema. */
export function renderBoardSchema(): string {
  const { $schema, ...schema } = z.toJSONSchema(BoardSchema, { target: 'draft-2020-12' });
  return JSON.stringify({ $schema, $id: 'https://deskphone.invalid/hardware/board.schema.json', ...schema }, null, 2) + '\n';
}
