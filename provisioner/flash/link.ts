// The byte link to one device, through EspruinoTools running in a child
// process (espruino-process.ts): promises instead of callbacks, and the library's silent
// failures ("Unable to connect!" with no error, a socket that never connects,
// a serial port that throws inside the library) turned into FlashErrors.
import { existsSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BoardProfile } from '../../hardware/board.ts';
import { espruinoBuild } from '../../hardware/espruino.ts';
import { espruinoBoardJson } from './board-json.ts';
import { FlashError } from './errors.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './espruino-process.ts';

export interface PortInfo {
  path: string;
  description?: string;
  /** USB vendor and product id. */
  usb?: number[];
}

export interface LinkOptions {
  board: BoardProfile;
  baud?: number;
  /** How long opening may take before the port counts as not answering. */
  connectTimeoutMs?: number;
}

const PROCESS_FILE = fileURLToPath(new URL('./espruino-process.ts', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');
/** Serial lines get the library's throttled 19-byte writes. Over TCP a whole line goes in one write: split in two, Nagle and delayed ACKs cost ~40 ms a line. */
const CHUNK_SERIAL = 19;
const CHUNK_TCP = 4096;
const LOG_LINES_KEPT = 40;
/**
 * Starting the connection process (node, tsx, the library) before the port is opened: ~1 s at load 4-5,
 * 3.1-4.7 s measured at load 12 on 2 cores, which ran out a 4 s probe before the device was even asked.
 * Bounded apart from the device's answer, and generously: it is the host's own work.
 */
const WORKER_START_MS = 60_000;
/** How long close() lets the library end the connection before the worker goes. */
const CLOSE_WAIT_MS = 500;

function startWorker(setup: WorkerSetup): { worker: ChildProcess; log: string[] } {
  // The child loads TypeScript through tsx whether or not the parent runs under it (bin/, vitest).
  const worker = fork(PROCESS_FILE, [JSON.stringify(setup)], { execArgv: ['--import', TSX_LOADER], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (log.length > LOG_LINES_KEPT) log.splice(0, log.length - LOG_LINES_KEPT);
  };
  worker.stdout!.on('data', keep);
  worker.stderr!.on('data', keep);
  return { worker, log };
}

async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((r) => worker.once('exit', r));
  worker.kill();
  await exited;
}

/** Serial ports as EspruinoTools sees them (udev; pseudo-terminals are not listed). */
export async function listSerialPorts(): Promise<PortInfo[]> {
  const { worker } = startWorker({ mode: 'list' });
  try {
    return await new Promise<PortInfo[]>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.ev === 'ports') resolve(m.ports);
      });
      worker.on('exit', () => reject(new Error('the port lister ended without an answer')));
    });
  } finally {
    await stopWorker(worker);
  }
}

export class EspruinoLink {
  private listeners: ((text: string) => void)[] = [];
  private writes = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextWrite = 1;
  private closedError: FlashError | null = null;
  private closedListeners: (() => void)[] = [];

  private constructor(
    readonly port: string,
    private readonly worker: ChildProcess,
  ) {}

  static async connect(port: string, options: LinkOptions): Promise<EspruinoLink> {
    if (!port.startsWith('tcp://') && !existsSync(port)) throw await portNotFound(port);
    const { worker, log } = startWorker({
      mode: 'connect',
      port,
      boardJson: espruinoBoardJson(options.board),
      baud: serialBaud(options.board, options.baud),
      chunkSize: port.startsWith('tcp://') ? CHUNK_TCP : CHUNK_SERIAL,
    });
    const link = new EspruinoLink(port, worker);
    const timeoutMs = options.connectTimeoutMs ?? 8000;
    await new Promise<void>((resolve, reject) => {
      let timer = setTimeout(() => reject(new Error(`the connection process for ${port} did not start within ${WORKER_START_MS / 1000} s`)), WORKER_START_MS);
      const settle = (err?: Error) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      // A refused TCP connect never calls back; the library only logs it. (No probe connection of our own:
      // a single-use bridge such as `socat TCP-LISTEN` would serve the probe and then be gone.)
      const refused = (chunk: Buffer) => {
        const m = /RECEIVE ERROR: (.*)/.exec(chunk.toString('utf8'));
        if (m) settle(noAnswer(port, `the connection failed (${socketError(m[1])})`));
      };
      worker.stderr!.on('data', refused);
      worker.on('message', (m: FromWorker) => {
        if (m.ev === 'ready') {
          // The device's time starts with the open: the process before it is the host's own start-up.
          clearTimeout(timer);
          timer = setTimeout(() => reject(noAnswer(port, `nothing answered within ${timeoutMs / 1000} s of opening it`)), timeoutMs);
          link.send({ op: 'open' });
        } else if (m.ev === 'open') settle();
        else if (m.ev === 'open-failed') settle(openFailed(port, log));
        else link.onWorkerMessage(m);
      });
      // The library lets some failures escape as uncaught exceptions (serialport's open errors): the process dies with them on stderr.
      worker.on('exit', () => {
        const mapped = libraryError(port, new Error(log.filter((l) => /Error/.test(l)).slice(-1)[0] ?? 'the connection process ended'));
        link.markClosed(mapped);
        settle(mapped);
      });
    }).catch(async (err) => {
      await stopWorker(worker);
      throw err;
    });
    return link;
  }

  onData(listener: (text: string) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Called once when the link drops (cable pulled, device gone), not after close(). */
  onClosed(listener: () => void): void {
    this.closedListeners.push(listener);
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  /** Throws the reason the link closed (unplugged, busy, …), if it has. */
  assertOpen(): void {
    if (this.closedError) throw this.closedError;
  }

  /** Resolves when the text has been handed to the port. */
  write(text: string): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextWrite++;
    return new Promise((resolve, reject) => {
      this.writes.set(id, { resolve, reject });
      this.send({ op: 'write', id, data: text });
    });
  }

  async close(): Promise<void> {
    if (!this.closedError) {
      this.closedError = new FlashError('unplugged', `the connection to ${this.port} was closed`, 'connect again');
      const closed = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_WAIT_MS);
        this.worker.on('message', (m: FromWorker) => {
          if (m.ev === 'closed') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      this.send({ op: 'close' });
      await closed;
    }
    await stopWorker(this.worker);
  }

  private send(msg: ToWorker): void {
    if (this.worker.connected) this.worker.send(msg);
  }

  private onWorkerMessage(m: FromWorker): void {
    if (m.ev === 'data') for (const l of this.listeners) l(m.text);
    else if (m.ev === 'written') {
      this.writes.get(m.id)?.resolve();
      this.writes.delete(m.id);
    } else if (m.ev === 'closed') {
      this.markClosed(unplugged(this.port));
    }
  }

  private markClosed(err: FlashError): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const w of this.writes.values()) w.reject(err);
    this.writes.clear();
    for (const l of this.closedListeners) l();
  }
}

export function unplugged(port: string): FlashError {
  return new FlashError(
    'unplugged',
    `the connection to ${port} dropped during the flash (unplugged, reset or powered off)`,
    'check the cable and power, then run the same command again: it resumes, and the device boots nothing half-written meanwhile',
  );
}

/** --baud, else the rate the board's Espruino build runs its serial console at: 9600 on the Pixl.js, 115200 on the ESP32. */
export function serialBaud(board: BoardProfile, baud?: number): number | undefined {
  return baud ?? (espruinoBuild(board.firmware.build).consoleBaud || undefined);
}

function noAnswer(port: string, detail: string): FlashError {
  return new FlashError(
    'no-answer',
    `no Espruino answered on ${port}: ${detail}`,
    'check that the device is powered and running Espruino, and the baud rate (--baud; consoles run at 9600 on the Pixl.js, 115200 on the ESP32)',
  );
}

function openFailed(port: string, log: string[]): FlashError {
  const detail = log.filter((l) => /error|not found|refused|unable/i.test(l)).slice(-2).join('; ');
  if (port.startsWith('tcp://')) return noAnswer(port, detail || 'the connection was refused');
  return noAnswer(port, detail || 'the port did not open');
}

function libraryError(port: string, err: Error): FlashError {
  const text = String(err?.message ?? err);
  if (/lock|busy|Resource temporarily unavailable/i.test(text))
    return new FlashError('port-busy', `${port} is in use by another program (${text})`, 'close the other program using it (an IDE, screen, minicom, another deskphone flash) and try again');
  if (/ENOENT|No such file/i.test(text)) return new FlashError('port-not-found', `${port} does not exist (${text})`, 'run `deskphone ports` and use one of the listed ports');
  if (/EACCES|Permission denied/i.test(text))
    return new FlashError('port-busy', `no permission to open ${port}`, 'add yourself to the group that owns the port (often `dialout`) and log in again');
  return noAnswer(port, text);
}

async function portNotFound(port: string): Promise<FlashError> {
  const ports = await listSerialPorts().catch(() => [] as PortInfo[]);
  const known = ports.length ? ports.map((p) => p.path).join(', ') : 'none';
  return new FlashError('port-not-found', `there is no port ${port} (serial ports found: ${known})`, 'plug the device in, run `deskphone ports` and pass one of the listed ports to --port');
}

function socketError(json: string): string {
  try {
    const e = JSON.parse(json) as { code?: string; address?: string; port?: number };
    return [e.code, e.address && e.port ? `${e.address}:${e.port}` : ''].filter(Boolean).join(' ');
  } catch {
    return json;
  }
}
