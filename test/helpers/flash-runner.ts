// Boots a bundle from Storage on the real Espruino interpreter, as a board
// boots after `deskphone flash`, and returns what its console printed.
//
//   const out = await bootFromFlash({
//     interpreter: ESPRUINO_2950!,                      // test/helpers/interpreter.ts
//     bundle: readFileSync('firmware/dist/linux.js'),   // stored as dp-<crc>.js, booted by the .bootcde stub
//     files: { 'deskphone.json': JSON.stringify(cfg) }, // more Storage files, by name
//     prelude: boardStandIn,                            // JS run before the firmware on every boot (.boot0)
//     after: [{ atMs: 1000, code: 'print("SCREEN "+JSON.stringify(DP.screen()))' }],
//     timeoutMs: 30_000,
//   });
//
// What it does, in a scratch folder that is removed afterwards:
// 1. A first run of the interpreter (file mode, which boots nothing) writes
//    the files into its emulated Storage (`espruino.flash`) with
//    Storage.write in pieces, as the flash does, and reads back each file's
//    E.CRC32, which must match the bytes given. The bundle goes where the
//    flash puts it (provisioner/flash/procedure.ts: `dp-<crc>.js` and the
//    one-line `.bootcde` stub that evals it).
// 2. A second run with `-e` boots Storage (src/jsflash.c
//    jsfLoadBootCodeFromFlash: `.boot0`…`.boot3`, then `.bootcde`), then
//    schedules each `after` step as a timer of its own (code evaluated at
//    global scope, like a line typed at the console) and quit() after the
//    last one (or at `untilMs`). Timers due together run in the order given.
//
// Nothing is typed on the interpreter's stdin: the Linux build's stdin thread
// races its main loop on the input queue (see interpreter-console.ts). The
// stdin is an open pipe nobody writes to, because at end of input the Linux
// build reads garbage. A firmware that calls load() or reset() loses the
// pending steps with its timers.
//
// Returns stdout (the console: prompts and line-editing escapes, whatever the
// firmware and the steps print, "Uncaught …" lines; consoleLines() gives the
// lines as a terminal shows them). Throws, with the end of stdout, when the
// interpreter exits non-zero (an ASSERT, a crash) or is still running at
// timeoutMs (then it is killed).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootStub, firmwareFileName } from '../../provisioner/flash/procedure.ts';
import { crc32OfBytes } from '../../provisioner/flash/device-console.ts';

export interface AfterStep {
  /** Milliseconds after boot. */
  atMs: number;
  /** JavaScript run at global scope, as if typed at the console. */
  code: string;
}

export interface BootFromFlashOptions {
  /** Path of an interpreter from test/helpers/interpreter.ts. */
  interpreter: string;
  /** The firmware bundle (a string is UTF-8, as the flash sends it). */
  bundle: string | Uint8Array;
  /** More Storage files by name, e.g. the station config 'deskphone.json'. */
  files?: Record<string, string | Uint8Array>;
  /** JavaScript booted before the bundle on every boot, stored as `.boot0` (e.g. a board stand-in). */
  prelude?: string;
  after?: AfterStep[];
  /** When to quit(); defaults to right after the last step, or right after boot without steps. */
  untilMs?: number;
  timeoutMs?: number;
}

/** Writes from the first run: one per Storage file, its name, size and E.CRC32. */
const LOADED = 'LOADED ';
const TAIL_CHARS = 1500;

export async function bootFromFlash(opts: BootFromFlashOptions): Promise<string> {
  const bundle = bytesOf(opts.bundle);
  const bundleFile = firmwareFileName(bundle);
  const storage: Record<string, Uint8Array> = {};
  if (opts.prelude !== undefined) storage['.boot0'] = bytesOf(opts.prelude);
  for (const [name, content] of Object.entries(opts.files ?? {})) storage[name] = bytesOf(content);
  storage[bundleFile] = bundle;
  storage['.bootcde'] = bytesOf(bootStub(bundleFile));
  for (const [name, bytes] of Object.entries(storage)) {
    // Storage refuses both; saying so here beats a CRC mismatch later.
    if (bytes.length === 0) throw new Error(`bootFromFlash: Storage file ${name} is empty (Storage cannot hold a zero-length file)`);
    if (name.length > 28) throw new Error(`bootFromFlash: Storage file name ${name} is longer than Storage's 28 characters`);
  }

  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const dir = mkdtempSync(join(tmpdir(), 'dp-flash-run-'));
  try {
    const names = Object.keys(storage);
    names.forEach((name, i) => writeFileSync(join(dir, `in-${i}`), storage[name]));
    writeFileSync(join(dir, 'load.js'), loaderSource(names));
    const loaded = await runInterpreter(opts.interpreter, ['load.js'], dir, deadline - Date.now());
    for (const name of names) {
      const line = `${LOADED}${JSON.stringify([name, storage[name].length, crc32OfBytes(storage[name])])}`;
      if (!loaded.includes(line)) throw new Error(`bootFromFlash: Storage file ${name} did not read back as written; the loader printed: ${loaded.slice(-TAIL_CHARS)}`);
    }

    const steps = [...(opts.after ?? [])].sort((a, b) => a.atMs - b.atMs);
    const untilMs = Math.max(opts.untilMs ?? 0, steps.at(-1)?.atMs ?? 0);
    const schedule = [...steps.map((s) => `setTimeout(${JSON.stringify(s.code)},${s.atMs});`), `setTimeout("quit()",${untilMs});`].join('');
    return await runInterpreter(opts.interpreter, ['-e', schedule], dir, deadline - Date.now());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The lines of console output as a terminal shows them: escapes such as ESC[J gone, and of a line the text after its last carriage return. */
export function consoleLines(out: string): string[] {
  return out
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .split('\n')
    .map((line) => line.replace(/\r$/, '').split('\r').at(-1)!);
}

function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

/** The first run's program: copies in-<i> to Storage file names[i] in pieces, then prints what Storage holds. */
function loaderSource(names: string[]): string {
  return `var S = require("Storage");
function put(name, path) {
  var size = require("fs").statSync(path).size, f = E.openFile(path, "r"), at = 0, c;
  while ((c = f.read(256)) !== undefined && c.length) { S.write(name, c, at, size); at += c.length; }
  f.close();
  var back = S.read(name);
  print(${JSON.stringify(LOADED)} + JSON.stringify([name, back ? back.length : 0, back ? E.CRC32(back) >>> 0 : 0]));
}
${names.map((name, i) => `put(${JSON.stringify(name)}, "in-${i}");`).join('\n')}
`;
}

function runInterpreter(interpreter: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(interpreter, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(timeoutMs, 0));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`bootFromFlash: cannot run ${interpreter}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(out);
      const why = signal === 'SIGKILL' ? `was still running after the time allowed (timeoutMs)` : `exited with ${code ?? signal}`;
      const errLines = err.split('\n').filter((l) => l && !l.startsWith('espruino: ')).join('\n');
      reject(new Error(`bootFromFlash: ${interpreter} ${args[0]} ${why}; it printed: ${(out + errLines).slice(-TAIL_CHARS)}`));
    });
  });
}
