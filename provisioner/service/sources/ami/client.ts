import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { AmiMessage, AmiParser, formatAction } from './protocol.ts';

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  /** Sent only inside the Login action; never logged, never part of an error message. */
  secret: string;
  /** Event classes asked for at login (manager.conf `read` limits them further). */
  events: string;
  /** First and longest wait between connection attempts; doubles in between. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** An action without a response after this long fails (and a silent link is dropped). */
  actionTimeoutMs?: number;
  /** How often a quiet link is checked with Ping. */
  pingIntervalMs?: number;
}

/** Asterisk refused the user name or secret. */
export class AmiAuthError extends Error {}

/** An action Asterisk answered with "Response: Error" (its Message is the text). */
export class AmiActionError extends Error {}

/** The link went down (or was not up) before the action was answered. */
export class AmiLinkError extends Error {}

interface Pending {
  resolve(value: AmiMessage[]): void;
  reject(err: Error): void;
  /** For list actions (QueueStatus, CoreShowChannels): the events collected so far. */
  list: AmiMessage[] | null;
  timer: NodeJS.Timeout;
}

/**
 * One AMI session that stays up: connects, checks the banner, logs in, and
 * after any loss (Asterisk restarted, TCP link broken, login refused) tries
 * again with doubling delays. Emits 'ready' after each login, 'event' for
 * each unsolicited event, 'down' with the reason, and 'malformed' with the
 * length of a line it skipped (never the line: it may carry caller data).
 */
export class AmiClient extends EventEmitter {
  private socket: Socket | null = null;
  private loggedIn = false;
  private stopped = true;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: AmiClientOptions) {
    super();
    this.retryMs = options.retryMinMs ?? 1000;
  }

  get ready(): boolean {
    return this.loggedIn;
  }

  /**
   * Starts the session. Resolves after the first login, or rejects with
   * AmiAuthError if Asterisk refuses it (a configuration error worth stopping
   * for); an unreachable Asterisk is not: the client keeps trying and resolves.
   */
  start(): Promise<void> {
    this.stopped = false;
    return new Promise((resolve, reject) => {
      const ready = () => {
        this.off('down', down);
        resolve();
      };
      const down = (reason: Error) => {
        this.off('ready', ready);
        if (reason instanceof AmiAuthError) {
          this.stop();
          reject(reason);
        } else resolve();
      };
      this.once('ready', ready);
      this.once('down', down);
      this.open();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.destroy();
  }

  /** Sends one action; resolves with its response, rejects with AmiActionError or AmiLinkError. */
  async action(name: string, fields: [string, string][] = []): Promise<AmiMessage> {
    const [response] = await this.send(name, fields, false);
    return response;
  }

  /** Sends a list action and resolves with its events, up to the one with "EventList: Complete". */
  async list(name: string, fields: [string, string][] = []): Promise<AmiMessage[]> {
    return (await this.send(name, fields, true)).slice(1);
  }

  private send(name: string, fields: [string, string][], list: boolean, beforeLogin = false): Promise<AmiMessage[]> {
    const socket = this.socket;
    if (!socket || (!this.loggedIn && !beforeLogin)) return Promise.reject(new AmiLinkError('not connected to Asterisk'));
    const id = `dp-${this.nextId++}`;
    const text = formatAction([['Action', name], ['ActionID', id], ...fields]);
    return new Promise((resolve, reject) => {
      const timeoutMs = this.options.actionTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AmiLinkError(`no answer to ${name} within ${timeoutMs} ms`));
        // A link that does not answer is as good as gone; start afresh.
        socket.destroy();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, list: list ? [] : null, timer });
      socket.write(text);
    });
  }

  private open(): void {
    const socket = connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    let failure: Error = new AmiLinkError('connection closed');
    const parser = new AmiParser(
      (banner) => {
        if (!/^Asterisk Call Manager\/\S+/.test(banner)) {
          failure = new AmiLinkError(`${this.options.host}:${this.options.port} is not an Asterisk manager port (it greeted with ${JSON.stringify(banner.slice(0, 40))})`);
          socket.destroy();
          return;
        }
        void this.login().catch((err: Error) => {
          failure = err;
          socket.destroy();
        });
      },
      (message) => this.dispatch(message),
      (length) => this.emit('malformed', length),
    );
    socket.on('data', (chunk: string) => {
      try {
        parser.push(chunk);
      } catch (err) {
        failure = new AmiLinkError(`bad data from Asterisk: ${(err as Error).message}`);
        socket.destroy();
      }
    });
    socket.on('error', (err) => {
      failure = new AmiLinkError(`cannot reach Asterisk at ${this.options.host}:${this.options.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    });
    socket.on('close', () => this.closed(socket, failure));
  }

  private async login(): Promise<void> {
    try {
      await this.send('Login', [['Username', this.options.username], ['Secret', this.options.secret], ['Events', this.options.events]], false, true);
    } catch (err) {
      if (err instanceof AmiActionError) throw new AmiAuthError(`Asterisk refused the login of AMI user "${this.options.username}": ${err.message}`);
      throw err;
    }
    this.loggedIn = true;
    this.retryMs = this.options.retryMinMs ?? 1000;
    this.schedulePing();
    this.emit('ready');
  }

  private schedulePing(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => {
      // A failed ping has already dropped the link (see send); 'close' takes it from there.
      this.action('Ping').then(() => this.schedulePing(), () => {});
    }, this.options.pingIntervalMs ?? 20_000);
  }

  private dispatch(message: AmiMessage): void {
    const id = message.get('ActionID');
    const pending = id ? this.pending.get(id) : undefined;
    if (!pending) {
      if (message.has('Event')) this.emit('event', message);
      return;
    }
    const finish = (err: Error | null) => {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      if (err) pending.reject(err);
      else pending.resolve(pending.list ?? [message]);
    };
    if (message.has('Response')) {
      if (message.get('Response').toLowerCase() !== 'success') return finish(new AmiActionError(message.get('Message') || 'error'));
      if (pending.list === null) return finish(null);
      pending.list.push(message);
      return;
    }
    if (pending.list === null) return;
    if (message.get('EventList').toLowerCase() === 'complete') return finish(null);
    pending.list.push(message);
  }

  private closed(socket: Socket, reason: Error): void {
    if (this.socket !== socket) return;
    this.socket = null;
    const wasReady = this.loggedIn;
    this.loggedIn = false;
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new AmiLinkError('the link to Asterisk went down'));
    }
    this.emit('down', reason, wasReady);
    if (this.stopped) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.options.retryMaxMs ?? 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, wait);
  }
}
