// The firmware build: per board profile, the minified firmware bundle (held
// to the board's budget) and the boot selector with the recovery
// (<board>.boot.js, Storage file dp.boot), both checked by the gate: the exact
// text that gets flashed and that the simulator runs (docs/updates.md).
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { loadBoards, pinFields, type BoardProfile } from '../hardware/board.ts';
import { BOOT_STUB, crc32, layoutEnd, LayoutError, layoutWrites, storagePlan, type StoragePlan } from '../hardware/storage-layout.ts';
import { deviceConfig } from '../protocol/device-config.ts';
import { packageVersion } from '../lib/version.ts';
import { UserError } from '../lib/user-error.ts';
import { formatProblem, gate, type GateProblem } from '../hardware/espruino-gate.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_ENTRY = join(REPO_ROOT, 'firmware', 'src', 'main.ts');
export const BOOT_ENTRY = join(REPO_ROOT, 'firmware', 'src', 'update', 'boot.ts');
/** The firmware's update side, carried as a comment at the end of the image and evaluated only when an update needs it. */
export const AGENT_ENTRY = join(REPO_ROOT, 'firmware', 'src', 'update', 'agent.ts');
/** The recovery's second stage (<board>.rec.js), which the host sends a desk in its recovery as RecoveryCode. */
export const RECOVERY_ENTRY = join(REPO_ROOT, 'firmware', 'src', 'update', 'receiver.ts');
export const DIST_DIR = join(REPO_ROOT, 'firmware', 'dist');

/** Espruino's Storage puts a 32-byte header (length + 28-byte name) before each file. */
export const STORAGE_FILE_HEADER = 32;

/**
 * A config as `deskphone flash` writes it, with realistic lengths (long host
 * name, static addresses, 43-character secret): the size we plan Storage for.
 */
export const TYPICAL_CONFIG = deviceConfig({
  id: 'ws-hotline-desk-042',
  board: 'pixljs-w5100',
  host: 'mqtt.leitstelle.stadtwerke-beispiel.de',
  port: 1883,
  pass: 'k3J9x2QmPz7VtY4rWb8NcLs5HdF6gA1eUoRiTjKyZwX',
  net: { ip: '192.168.100.142', gw: '192.168.100.1', mask: '255.255.255.0', dns: '192.168.100.1', mac: '90:a2:da:0f:12:34' },
});

/** Modules built into the interpreter: `require` calls to them stay in the bundle. */
export const ESPRUINO_MODULES = ['Storage', 'net', 'Wifi', 'WIZnet', 'ESP32', 'TelnetServer', 'crypto', 'tls', 'http', 'fs', 'Flash', 'heatshrink'];

export interface StorageFit {
  storageBytes: number;
  bundleBytes: number;
  configBytes: number;
  /** Bytes the whole slot layout occupies (hardware/storage-layout.ts), boot files and config included. */
  used: number;
  /** Firmware and config fit at all. */
  fits: boolean;
  /**
   * The slots: two receive an update beside the running image; one (the Pixl.js)
   * means the boot selector runs the recovery, which receives it instead of the
   * firmware (docs/updates.md). `imageMax` is the largest image a slot holds,
   * `room` what it has left beside this bundle.
   */
  slots: { count: number; slotBytes: number; imageMax: number; room: number };
}

/** What the build knows of an image: for `deskphone update` and the records. */
export interface Manifest {
  board: string;
  version: string;
  bytes: number;
  crc32: number;
  sha256: string;
}

export interface BoardBuild {
  board: string;
  file: string;
  bytes: number;
  budget: number;
  storage: StorageFit;
  /** The boot selector with the recovery (Storage file dp.boot). */
  boot: { file: string; bytes: number };
  manifest: Manifest;
}

export interface BuildOptions {
  quiet?: boolean;
  /** Only these boards (default: every profile in hardware/boards). */
  boards?: string[];
  entry?: string;
  outDir?: string;
  /** Where progress lines go (default: stdout). */
  log?: (line: string) => void;
  /** Firmware version (default: package.json's); tests build "newer" images with it. */
  version?: string;
}

/**
 * Storage for a bundle of this size and config, laid out in slots as
 * `deskphone flash` writes it: on two-slot boards after the selector, with
 * the stub and config at the end; on one-slot boards after the first page,
 * which holds the stub, the config and the compressed selector (a layout that
 * does not fit there throws LayoutError).
 */
export function storageFit(board: BoardProfile, bundleBytes: number, selector: Uint8Array, configBytes = JSON.stringify(TYPICAL_CONFIG).length): StorageFit {
  const file = (n: number) => STORAGE_FILE_HEADER + Math.ceil(n / 4) * 4;
  const plan = storagePlan(board);
  const slots = { count: plan.slots.length, slotBytes: plan.slotBytes, imageMax: plan.imageMax, room: plan.imageMax - bundleBytes };
  let used: number;
  if (plan.slots.length > 1) used = layoutEnd(plan, selector.length) + file(BOOT_STUB.length) + file(configBytes);
  else {
    layoutWrites(plan, { selector, config: Buffer.alloc(configBytes, 0x20), image: new Uint8Array(Math.min(bundleBytes, plan.imageMax)), version: '' });
    used = plan.page + plan.slotBytes;
  }
  return { storageBytes: plan.bytes, bundleBytes, configBytes, used, fits: used <= plan.bytes && bundleBytes <= plan.imageMax, slots };
}

/** The profile as the firmware sees it: the prose `notes` would only cost Storage. */
export function firmwareProfile(board: BoardProfile): Omit<BoardProfile, 'notes'> {
  const { notes: _notes, ...rest } = board;
  return rest;
}

/** Property names a define can spell after a dot (a keypad's `long` map is keyed by digits too). */
const DEFINE_NAME = /^[A-Za-z_$][\w$]*$/;

/**
 * The constants that bake one board into its bundle. esbuild replaces a define
 * only where the source spells out its whole name, and folds only what is then
 * a literal: `__BOARD__.display.driver === 'ssd1306'` becomes a comparison of
 * two strings and the minifier drops the dead branch, while a value that went
 * through a variable, an argument or a property (`n.k`) is opaque to it. So
 * each path of the profile through its objects is a define of its own: tested
 * scalars fold, and an object or array read by its full name is emitted as just
 * that part, leaving out the parts no code reads; esbuild emits such a part as
 * a top-level variable, which the interpreter then holds for good, so lists
 * needed only at boot (__PINS__, __KEY_ROWS__, __KEY_COLS__) are strings the
 * firmware splits where it reads them. `typeof __BOARD__` does not
 * fold (the object becomes a shared variable), so code that also runs without
 * this build (the link in host tests) guards the bare `__NET__` instead.
 */
export function boardDefines(board: BoardProfile, version = packageVersion(), agentBytes = 0): Record<string, string> {
  const plan: StoragePlan = storagePlan(board);
  const defines: Record<string, string> = {
    __NET__: JSON.stringify(board.network.kind),
    // Every pin name the profile uses, space-separated, checked at boot against the interpreter's globals
    // (a string: an array define would be held in a variable for good).
    __PINS__: JSON.stringify([...new Set(pinFields(board).map(([, name]) => name))].join(' ')),
    __KEY_ROWS__: JSON.stringify(board.input.kind === 'keypad' ? board.input.rows.join(' ') : ''),
    __KEY_COLS__: JSON.stringify(board.input.kind === 'keypad' ? board.input.cols.join(' ') : ''),
    __FW_VERSION__: JSON.stringify(version),
    // The Storage layout (hardware/storage-layout.ts): slot names, and the second slot's name or '' so one-slot bundles drop the A/B code.
    __SLOTS__: JSON.stringify(plan.slots.join(',')),
    __SLOT_B__: JSON.stringify(plan.slots[1] ?? ''),
    __STORAGE_BASE__: String(plan.base),
    // Length of the update side at the image's end (0: none).
    __AGENT_BYTES__: String(agentBytes),
  };
  const add = (name: string, value: unknown): void => {
    defines[name] = JSON.stringify(value);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [key, inner] of Object.entries(value)) if (DEFINE_NAME.test(key)) add(name + '.' + key, inner);
  };
  add('__BOARD__', firmwareProfile(board));
  return defines;
}

async function bundle(board: BoardProfile, entry: string, outfile: string, minify: boolean, version?: string, agentBytes = 0): Promise<{ code: string; map: string }> {
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      // esbuild's iife format routes require() through a shim built on Proxy,
      // which the interpreter lacks; cjs output keeps require("Storage")
      // verbatim, and the banner/footer make it the same function wrapper.
      format: 'cjs',
      banner: { js: '(function(){' },
      footer: { js: '})();' },
      target: 'es2015',
      platform: 'neutral',
      minify,
      external: ESPRUINO_MODULES,
      write: false,
      outfile,
      sourcemap: 'external',
      sourcesContent: false,
      legalComments: 'none',
      logLevel: 'silent',
      define: boardDefines(board, version, agentBytes),
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    });
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    const lines = (failure.errors ?? []).map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : '') + e.text);
    throw new UserError(`firmware does not compile for ${board.name}:\n  ${lines.join('\n  ') || String(err)}`, 'fix the TypeScript errors above in firmware/src');
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  return { code, map };
}

/**
 * Gates the minified bundle (the bytes that run) and the unminified one (where
 * downlevel helpers keep their names, e.g. __spreadValues), reporting each
 * problem once, at its TypeScript source line.
 */
function gateBoth(minified: { code: string; map: string }, plain: { code: string; map: string }, outfile: string): GateProblem[] {
  const opts = { bundlePath: outfile, root: REPO_ROOT };
  const all = [...gate(minified.code, { ...opts, sourceMap: minified.map }), ...gate(plain.code, { ...opts, sourceMap: plain.map })];
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = p.source ? `${p.source.file}:${p.source.line}:${p.rule}` : `${p.line}:${p.column}:${p.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Bundles and gates one entry for a board; returns the minified code and its source map. */
async function buildEntry(board: BoardProfile, entry: string, outfile: string, version?: string, agentBytes = 0): Promise<{ code: string; map: string }> {
  const [minified, plain] = await Promise.all([bundle(board, entry, outfile, true, version, agentBytes), bundle(board, entry, outfile, false, version, agentBytes)]);
  const problems = gateBoth(minified, plain, outfile);
  if (problems.length) {
    throw new UserError(
      `${relative(REPO_ROOT, outfile)} uses ${problems.length} construct(s) the Espruino interpreter lacks:\n  ${problems.map((p) => formatProblem(p, basename(outfile))).join('\n  ')}`,
      'rewrite those lines in the interpreter subset (hardware/docs/board-facts.md, "The language subset"); the bundle was not written',
    );
  }
  return minified;
}

/** Written beside and renamed so a reader never sees half a file. */
function writeAtomically(file: string, content: string): void {
  const tmp = file + '.tmp-' + process.pid;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export async function buildBoard(board: BoardProfile, options: BuildOptions = {}): Promise<BoardBuild> {
  const entry = options.entry ?? DEFAULT_ENTRY;
  const outDir = options.outDir ?? DIST_DIR;
  const outfile = join(outDir, board.name + '.js');
  const bootfile = join(outDir, board.name + '.boot.js');
  // The update side rides after the firmware, inside a comment: evaluating the image only skips it,
  // so it costs no variables until an offer comes (on the Linux build, code evaluated from Storage lives in RAM).
  const agent = (await buildEntry(board, AGENT_ENTRY, join(outDir, board.name + '.agent.js'), options.version)).code;
  if (agent.includes('*/')) throw new Error(`the update side of ${board.name} contains */ and cannot ride in a comment`);
  const agentBytes = Buffer.byteLength(agent, 'latin1');
  const recfile = join(outDir, board.name + '.rec.js');
  const [app, selector, stage2] = await Promise.all([
    buildEntry(board, entry, outfile, options.version, agentBytes),
    buildEntry(board, BOOT_ENTRY, bootfile, options.version),
    buildEntry(board, RECOVERY_ENTRY, recfile, options.version),
  ]);
  const code = app.code + '/*' + agent + '*/';
  const boot = selector.code;
  const shown = relative(REPO_ROOT, outfile);
  const bytes = Buffer.byteLength(code, 'latin1');
  if (bytes > board.budget.codeBytes) {
    throw new UserError(
      `${shown} is ${bytes} bytes, over the ${board.name} code budget of ${board.budget.codeBytes} bytes by ${bytes - board.budget.codeBytes}`,
      `make the firmware smaller, or raise budget.codeBytes in hardware/boards/${board.name}.json if Storage allows (see the Storage report)`,
    );
  }
  const bootBytes = Buffer.byteLength(boot, 'latin1');
  let storage: StorageFit;
  try {
    storage = storageFit(board, bytes, Buffer.from(boot, 'latin1'));
  } catch (err) {
    if (!(err instanceof LayoutError)) throw err;
    throw new UserError(`${board.name}: ${err.message}`, 'make the boot selector and the recovery (firmware/src/update) smaller; docs/updates.md has the Storage map');
  }
  mkdirSync(outDir, { recursive: true });
  writeAtomically(outfile, code);
  writeAtomically(bootfile, boot);
  writeAtomically(recfile, stage2.code);
  // Never flashed: the simulator maps run-time errors back to firmware/src with them.
  writeFileSync(outfile + '.map', app.map);
  writeFileSync(bootfile + '.map', selector.map);
  const image = Buffer.from(code, 'latin1');
  const manifest: Manifest = {
    board: board.name,
    version: options.version ?? packageVersion(),
    bytes,
    crc32: crc32(image),
    sha256: createHash('sha256').update(image).digest('hex'),
  };
  writeAtomically(join(outDir, board.name + '.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { board: board.name, file: outfile, bytes, budget: board.budget.codeBytes, storage, boot: { file: bootfile, bytes: bootBytes }, manifest };
}

/** How an update reaches a board with these slots: two take it beside the running image, one (the Pixl.js) by the recovery. */
export function updateArrives(slots: StorageFit['slots']): string {
  return slots.count === 1 ? 'by the recovery' : 'beside the running image';
}

export function formatBuild(b: BoardBuild): string {
  const pct = Math.round((100 * b.bytes) / b.budget);
  const s = b.storage;
  return (
    `${b.board.padEnd(14)} ${String(b.bytes).padStart(6)} B of ${b.budget} B code budget (${pct}%); ` +
    `Storage in ${s.slots.count === 1 ? 'one slot' : 'two slots'} of ${s.slots.slotBytes} B (images up to ${s.slots.imageMax} B, ${s.slots.room} B left) behind a ${b.boot.bytes} B boot selector, with config ${s.used} of ${s.storageBytes} B: ` +
    `updates are received ${updateArrives(s.slots)}` +
    (s.slots.count === 1 ? ' (the module shows "Update" and no calls meanwhile)' : '')
  );
}

/**
 * Deletes bundles of boards that no longer have a profile (a renamed profile
 * left its old bundle behind, which tests and `up` then picked up as a board).
 */
export function removeRetiredBundles(outDir: string, boards: BoardProfile[]): void {
  if (!existsSync(outDir)) return;
  const current = new Set(boards.map((b) => b.name));
  for (const file of readdirSync(outDir)) {
    const name = /^(.+?)(\.boot|\.rec)?\.(js|js\.map|json)$/.exec(file)?.[1];
    if (name && !current.has(name)) rmSync(join(outDir, file));
  }
}

/** Builds every board (or options.boards). Throws UserError on the first board that fails. */
export async function buildAll(options: BuildOptions = {}): Promise<BoardBuild[]> {
  const entry = options.entry ?? DEFAULT_ENTRY;
  if (!existsSync(entry)) {
    throw new UserError(`firmware entry ${relative(REPO_ROOT, entry)} does not exist`, 'create firmware/src/main.ts (the bundle entry)');
  }
  const log = options.quiet ? () => {} : options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  let boards = loadBoards();
  if (options.boards?.length) {
    const unknown = options.boards.filter((n) => !boards.some((b) => b.name === n));
    if (unknown.length) {
      throw new UserError(`unknown board(s): ${unknown.join(', ')}`, `use one of: ${boards.map((b) => b.name).join(', ')}`);
    }
    boards = boards.filter((b) => options.boards!.includes(b.name));
  }
  if (!options.boards?.length) removeRetiredBundles(options.outDir ?? DIST_DIR, boards);
  const results: BoardBuild[] = [];
  for (const board of boards) {
    const result = await buildBoard(board, options);
    log(formatBuild(result));
    results.push(result);
  }
  return results;
}
