// The real interpreter's console behind a pseudo-terminal, the way a board on
// a USB-serial adapter looks to the host: `deskphone flash --port <tty>`.
//
// The bytes reach the console over the interpreter's telnet server, not its
// stdin. The Linux build reads stdin in a second thread that appends to the
// IO event queue while the main loop pops from it, without a lock
// (targets/linux/jshardware.c jshInputThread; jshInterruptOff is empty there;
// src/jsdevices.c jshPushIOCharEvents grows the last event in place, at
// RELEASE_2V29 and at the build in ../shared/espruino). Input in bursts, as a
// flash sends it, corrupts the queue: "ASSERT(len <= 64) FAILED AT
// src/jsdevices.c:601" and exit 1 (measured: 3 of 5 runs of 60 Storage.write
// lines of 768 bytes over a pipe). On a board the queue is filled from an
// interrupt, which the main loop cannot interleave with. The telnet console
// (`--telnet`, libs/network/telnet/jswrap_telnet.c telnetRecv) pushes what it
// receives from the main loop itself, so the race cannot happen; everything
// after that is the same console code as on a board's serial port.
//
// The telnet port is fixed at 2323 and bound with SO_REUSEPORT on every
// address (libs/network/linux/network_linux.c): a second interpreter would
// share it silently, so one console at a time per machine, under a lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOCAT } from '../../hardware/sim/repl/pty.ts';

const TELNET_PORT = 2323;
const LOCK = join(tmpdir(), `deskphone-espruino-telnet-${TELNET_PORT}.lock`);
const LOCK_WAIT_MS = 120_000;

export interface InterpreterConsole {
  /** The pty path to flash through. */
  tty: string;
  /** The interpreter's working directory, with its emulated Storage `espruino.flash`. */
  dir: string;
  /** What the interpreter printed on stdout (its console before and after the telnet session). */
  output(): string;
  close(): Promise<void>;
}

/** Starts `interpreter` with a fresh Storage and puts its console behind a new pty. */
export async function interpreterOnPty(interpreter: string): Promise<InterpreterConsole> {
  await takeLock();
  const dir = mkdtempSync(join(tmpdir(), 'dp-console-'));
  const children: ChildProcess[] = [];
  let out = '';
  const close = async () => {
    for (const child of children.reverse()) await kill(child);
    rmSync(dir, { recursive: true, force: true });
    releaseLock();
  };
  try {
    if (!(await portFree(TELNET_PORT))) throw new Error(`port ${TELNET_PORT} is in use by another program; the interpreter's telnet console needs it: stop that program and run the test again`);
    // stdin stays an open pipe nobody writes to: at end of input the Linux build reads garbage.
    const espruino = spawn(interpreter, ['--telnet'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(espruino);
    espruino.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
    // The pty appears once socat has connected to the console (addresses open in order; retry until it listens).
    const tty = join(dir, 'tty');
    const socat = spawn(SOCAT, [`TCP:127.0.0.1:${TELNET_PORT},retry=200,interval=0.05`, `PTY,link=${tty},raw,echo=0`], { stdio: 'ignore' });
    children.push(socat);
    for (let i = 0; i < 300 && !existsSync(tty); i++) {
      if (espruino.exitCode !== null || socat.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!existsSync(tty)) throw new Error(`the interpreter's console did not come up on ${tty}; the interpreter printed: ${out.slice(-400)}`);
    return { tty, dir, output: () => out, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function takeLock(): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (!holderAlive()) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another test has held ${LOCK} for ${LOCK_WAIT_MS / 1000} s (the interpreter's telnet console, one per machine)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function holderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    // Just created by its holder, pid not yet written.
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function releaseLock(): void {
  rmSync(LOCK, { recursive: true, force: true });
}

/** True when nothing listens on `port` (the interpreter binds every address, so check those). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '0.0.0.0', () => probe.close(() => resolve(true)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  // The interpreter treats SIGTERM as Ctrl-C: end it for good.
  child.kill('SIGKILL');
  await exited;
}
