// The host's MQTT broker: aedes behind a packet-size guard, authenticating
// against the station registry, confining each desk to its own topics, with
// sessions, queued QoS 1 messages and retained state kept in LevelDB so they
// survive a crash. Its parts: who may do what (auth.ts), credentials taken
// back while it runs (revocation.ts), where it listens (listeners.ts). The
// registry's online flags are kept by the presence tracker (../presence.ts),
// which the commands start beside it.

import { Aedes } from 'aedes';
import { ClassicLevel } from 'classic-level';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { hostLogger } from '../logging.ts';
import { UserError } from '../../lib/user-error.ts';
import { openRegistry, type Registry } from '../registry/index.ts';
import { formatHost, parseListen } from './address.ts';
import { BrokerAuth } from './auth.ts';
import type { LoginBudgetOptions } from './login-budget.ts';
import { Listeners, readTlsFiles } from './listeners.ts';
import { indexRetained } from './retained-index.ts';
import { liveClients, Revocation } from './revocation.ts';
import { SessionPersistence } from './session-store.ts';

export interface BrokerOptions {
  /** Data directory: registry db and the broker's session store live here. */
  dataDir: string;
  /** A registry already open in this process; otherwise one is opened (and closed with the broker). */
  registry?: Registry;
  /** Plain MQTT listener, `host:port`. */
  listen?: string;
  /** MQTT over WebSocket listener (`host:port`) for browser pages; off unless given. */
  ws?: string;
  /** MQTT over TLS: PEM certificate and key files, and where to listen. */
  tls?: { cert: string; key: string; listen?: string };
  /** Largest MQTT packet accepted, in bytes; a larger header cuts the connection. */
  maxPacketSize?: number;
  /** Open connections at once (including ones that have not sent CONNECT yet). */
  maxConnections?: number;
  /** Publishes per second a station may send, and the burst above that. */
  stationPublishRate?: { perSecond: number; burst: number };
  /** Failed logins a source or username has before it backs off, and the backoff (see login-budget.ts). */
  loginBudget?: Partial<LoginBudgetOptions>;
  logger?: Logger;
}

export const BROKER_DEFAULTS = {
  listen: '127.0.0.1:1883',
  tlsListen: '127.0.0.1:8883',
  maxPacketSize: 64 * 1024,
  maxConnections: 10_000,
  stationPublishRate: { perSecond: 10, burst: 50 },
};

export interface BrokerStatus {
  mqtt: string;
  mqtts: string | null;
  ws: string | null;
  dataDir: string;
  stations: number;
  connected: number;
  maxPacketSize: number;
  maxConnections: number;
}

export interface BrokerHandle {
  tcpPort: number;
  tlsPort: number | null;
  wsPort: number | null;
  /** mqtt://host:port of the plain listener. */
  url: string;
  wsUrl: string | null;
  aedes: Aedes;
  registry: Registry;
  /** The stations with a session open now. */
  connectedStations(): string[];
  status(): BrokerStatus;
  close(): Promise<void>;
}

const STORE_DIR = 'broker-store';

async function openStore(dataDir: string): Promise<ClassicLevel<string, unknown>> {
  const db = new ClassicLevel<string, unknown>(join(dataDir, STORE_DIR));
  try {
    await db.open();
  } catch (err) {
    const locked = (err as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED';
    throw new UserError(
      locked ? `the broker store in ${dataDir} is in use by another broker` : `cannot open the broker store in ${dataDir}: ${(err as Error).message}`,
      locked ? 'stop the other `deskphone broker`/`deskphone up`, or use another DESKPHONE_HOME' : 'check the directory permissions and free space',
    );
  }
  return db;
}

export async function startBroker(options: BrokerOptions): Promise<BrokerHandle> {
  const log = options.logger ?? hostLogger('broker');
  const maxPacketSize = options.maxPacketSize ?? BROKER_DEFAULTS.maxPacketSize;
  const maxConnections = options.maxConnections ?? BROKER_DEFAULTS.maxConnections;
  const rate = options.stationPublishRate ?? BROKER_DEFAULTS.stationPublishRate;
  const listen = parseListen(options.listen ?? BROKER_DEFAULTS.listen, '--listen');
  const wsListen = options.ws ? parseListen(options.ws, '--ws') : null;
  const tlsListen = options.tls ? parseListen(options.tls.listen ?? BROKER_DEFAULTS.tlsListen, '--tls-listen') : null;
  const tlsCredentials = options.tls ? readTlsFiles(options.tls) : null;

  const registry = options.registry ?? openRegistry(options.dataDir);
  let store: ClassicLevel<string, unknown>;
  try {
    store = await openStore(options.dataDir);
  } catch (err) {
    if (!options.registry) registry.close();
    throw err;
  }
  const revocation = new Revocation();
  const auth = new BrokerAuth({
    registry,
    log,
    rate,
    loginBudget: options.loginBudget,
    sourceOf: (conn) => listeners.sourceOf(conn),
    pendingCleanup: (id) => revocation.pending(id),
  });

  const persistence = new SessionPersistence(store);
  // Also means a SUBSCRIBE during shutdown never reads the closing store.
  await indexRetained(persistence);
  const aedes = await Aedes.createBroker({
    persistence,
    connectTimeout: 10_000,
    drainTimeout: 30_000,
    maxTopicLevels: 8,
    ...auth.hooks(),
  });

  aedes.on('clientReady', (client) => log.info({ clientId: client.id }, 'client connected'));
  aedes.on('clientDisconnect', (client) => log.info({ clientId: client.id }, 'client disconnected'));
  aedes.on('clientError', (client, err) => {
    // A refused login comes back here too; authenticate already logged it (or, backing off, chose not to).
    if ('returnCode' in err) return;
    log.warn({ clientId: client.id, err: err.message }, 'client error');
  });
  aedes.on('connectionError', (client, err) => log.warn({ clientId: client.id, err: err.message }, 'connection error'));
  revocation.watch({ registry, aedes, persistence, store, auth, log });

  const listeners = new Listeners({
    aedes,
    log,
    listen,
    tls: tlsListen && tlsCredentials ? { listen: tlsListen, ...tlsCredentials } : null,
    ws: wsListen,
    maxPacketSize,
    maxConnections,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    revocation.stop();
    listeners.stopListening();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    listeners.destroyConnections();
    await store.close();
    if (!options.registry) registry.close();
  };
  try {
    await listeners.open();
  } catch (err) {
    await close();
    throw err;
  }
  const { tcpPort, tlsPort, wsPort } = listeners;
  const url = `mqtt://${formatHost(listen.host)}:${tcpPort}`;
  const wsUrl = wsListen ? `ws://${formatHost(wsListen.host)}:${wsPort}` : null;
  log.info({ url, wsUrl, tlsPort, maxPacketSize, maxConnections }, 'broker listening');

  return {
    tcpPort,
    tlsPort,
    wsPort,
    url,
    wsUrl,
    aedes,
    registry,
    close,
    connectedStations: () => liveClients(aedes).filter((client) => auth.accountOf(client)?.role === 'station').map((client) => client.id),
    status: () => ({
      mqtt: url,
      mqtts: tlsListen ? `mqtts://${formatHost(tlsListen.host)}:${tlsPort}` : null,
      ws: wsUrl,
      dataDir: options.dataDir,
      stations: registry.listStations().length,
      connected: aedes.connectedClients,
      maxPacketSize,
      maxConnections,
    }),
  };
}
