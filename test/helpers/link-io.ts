// What the Espruino interpreter gives the link, on Node: a `net.connect` whose
// sockets speak 8-bit strings (as Espruino's do), a Storage kept in memory or
// in a JSON file, and a plain aedes broker with a password check.
import net from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import type { LinkIo, Socket, Storage } from '../../firmware/src/net/link.ts';

/** Espruino-style socket on a Node socket: data in and out as latin1 strings. */
export function nodeConnect(opts: { host: string; port: number }, onOpen: () => void): Socket {
  const s = net.connect(opts.port, opts.host, onOpen);
  s.setEncoding('latin1');
  s.setNoDelay(true);
  return {
    on: (ev, fn) => { s.on(ev, fn); },
    write: (d) => { if (!s.destroyed) s.write(d, 'latin1'); },
    end: () => { s.end(); setTimeout(() => s.destroy(), 200).unref(); },
  };
}

/** Storage with Espruino's readJSON/writeJSON/erase semantics, kept in a Map so a test can "reboot" with the same files. */
export class MemoryStorage implements Storage {
  files = new Map<string, string>();
  readJSON(name: string) {
    const v = this.files.get(name);
    return v === undefined ? undefined : JSON.parse(v);
  }
  writeJSON(name: string, value: unknown) {
    this.files.set(name, JSON.stringify(value));
    return true;
  }
  erase(name: string) {
    this.files.delete(name);
  }
}

export function testIo(storage: Storage = new MemoryStorage(), extra: Partial<LinkIo> = {}): LinkIo {
  return { connect: nodeConnect, storage, base: 100, ...extra };
}

export interface TestBroker {
  aedes: Aedes;
  port: number;
  /** Drops every connection and stops listening, keeping sessions (in memory), like a broker process that died. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A plain aedes on a random loopback port; each user's password must match. */
export async function startAedes(users: Record<string, string>): Promise<TestBroker> {
  const aedes = await Aedes.createBroker({
    authenticate(_client, username, password, done) {
      if (username && users[username] !== undefined && password?.toString('utf8') === users[username]) return done(null, true);
      const err = new Error('bad user name or password') as AuthenticateError;
      err.returnCode = 4;
      done(err, null);
    },
  });
  const sockets = new Set<net.Socket>();
  let server: net.Server;
  let port = 0;
  const listen = async () => {
    server = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      aedes.handle(s);
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  };
  const kill = async () => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await listen();
  return {
    aedes,
    get port() { return port; },
    kill,
    restart: listen,
    async close() {
      await kill();
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}

export type BrokerKind = 'aedes' | 'mosquitto';

/** A broker of either kind behind one interface, so each scenario runs against both. */
export async function startBroker(kind: BrokerKind, users: Record<string, string>): Promise<{ port: number; kill(): Promise<void>; restart(): Promise<void>; close(): Promise<void> }> {
  if (kind === 'aedes') return startAedes(users);
  const { startMosquitto } = await import('./mosquitto.ts');
  const m = await startMosquitto({ users });
  return { port: m.port, kill: m.kill, restart: m.restart, close: m.stop };
}

/** Resolves once check() is truthy; polls because the link reports through callbacks, not promises. */
export async function until<T>(check: () => T, what: string, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error('gave up waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Handlers that record what the link reports. */
export function recorder(birth: Record<string, unknown> = {}) {
  const states: string[] = [];
  const msgs: { kind: string; data: string }[] = [];
  return {
    states,
    msgs,
    /** The last step reported, e.g. 'online' or 'auth'. */
    get step() { return (states[states.length - 1] || '').split(' ')[0]; },
    handlers: {
      msg(kind: string, data: string) { msgs.push({ kind, data }); },
      state(step: string, detail: string) { states.push(step + ' ' + detail); },
      birth() { return birth; },
    },
  };
}
