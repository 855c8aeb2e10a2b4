// A simulated device's console over TCP: what the `espruino` CLI (and
// `deskphone flash`) sees when it opens tcp://host:port, answered the way an
// Espruino board answers on its serial console (hardware/docs/board-facts.md, "The console").
// The statements run in the device's own context, so what gets written to
// Storage and booted with load() is exactly what the device would boot.
import net from 'node:net';
import { LenientUtf8Decoder, LineDiscipline, type ReplEvent } from './line-discipline.ts';

/** What the console needs from a device. */
export interface ReplDevice {
  /** Runs a statement at the device's global scope; returns its value, throws what it throws. */
  evaluate(code: string): unknown;
  /** Console lines printed since the last call (print, console.log, uncaught errors, boot messages). */
  takeOutput(): string[];
}

export interface ReplServerOptions {
  port?: number;
  host?: string;
  /** Fault injection: drop the connection once this many bytes have arrived on it, as an unplugged cable does. */
  unplugAfterBytes?: number;
}

export interface ReplServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

const PROMPT = '\r\n>';
const OUTPUT_POLL_MS = 20;

export async function serveRepl(device: ReplDevice, options: ReplServerOptions = {}): Promise<ReplServer> {
  const sessions = new Set<ReplSession>();
  const server = net.createServer((socket) => {
    const session = new ReplSession(device, socket, options.unplugAfterBytes);
    sessions.add(session);
    socket.on('close', () => {
      session.stop();
      sessions.delete(session);
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `tcp://${host}:${port}`,
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class ReplSession {
  private readonly decoder = new LenientUtf8Decoder();
  private readonly lines = new LineDiscipline();
  private readonly poll: NodeJS.Timeout;
  private received = 0;

  constructor(
    private readonly device: ReplDevice,
    private readonly socket: net.Socket,
    private readonly unplugAfterBytes: number | undefined,
  ) {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Output that happens between statements (timers, boot after load()) reaches the console as on a board.
    this.device.takeOutput();
    this.poll = setInterval(() => this.flushAsync(), OUTPUT_POLL_MS);
  }

  stop(): void {
    clearInterval(this.poll);
  }

  destroy(): void {
    this.stop();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.unplugAfterBytes !== undefined && this.received >= this.unplugAfterBytes) {
      this.destroy();
      return;
    }
    for (const event of this.lines.feed(this.decoder.decode(chunk))) this.handle(event);
  }

  private write(text: string): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.from(text, 'latin1'));
  }

  private handle(event: ReplEvent): void {
    switch (event.kind) {
      case 'interrupt':
        this.write(PROMPT);
        return;
      case 'empty':
        if (event.echo) this.write(PROMPT);
        return;
      case 'continue':
        if (event.echo) this.write('\r\n:');
        return;
      case 'statement':
        this.run(event.code, event.echo);
    }
  }

  private run(code: string, echo: boolean): void {
    let result = '';
    try {
      const value = this.device.evaluate(code);
      if (echo) result = '=' + formatValue(value) + '\r\n';
    } catch (err) {
      result = 'Uncaught ' + formatError(err) + '\r\n';
    }
    const printed = this.device.takeOutput().map((l) => l + '\r\n').join('');
    const body = printed + result;
    if (echo) this.write(code.replace(/\n/g, '\r\n') + '\r\n' + body + '>');
    // A DLE line prints nothing of its own; output it caused is followed by the prompt again.
    else if (body) this.write(body + '>');
  }

  private flushAsync(): void {
    const lines = this.device.takeOutput();
    if (lines.length) this.write('\r\x1b[J' + lines.join('\r\n') + PROMPT);
  }
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function formatError(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) {
    const e = err as { name?: string; message: string };
    return `${e.name || 'Error'}: ${e.message}`;
  }
  return formatValue(err);
}
