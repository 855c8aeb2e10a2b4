// The host's MQTT broker: aedes behind a packet-size guard, authenticating
// against the station registry, confining each desk to its own topics, with
// sessions, queued QoS 1 messages and retained state kept in LevelDB so they
// survive a crash. Listeners: TCP, optional TLS, optional MQTT over WebSocket.

import { Aedes, type AuthenticateError, type Client } from 'aedes';
import AsyncLevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { ClassicLevel } from 'classic-level';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { hostLogger } from '../logging.ts';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { HOST_PRESENCE, downTopic, parseStationTopic, upTopic } from '../../protocol/topics.ts';
import { UserError } from '../../lib/user-error.ts';
import { trackPresence, type PresenceTracker } from '../presence.ts';
import { SERVICE_ACCOUNTS, openRegistry, type Account, type Registry, type RegistryChange } from '../registry/index.ts';
import { publishProblem, subscribeProblem, willProblem } from './acl.ts';
import { formatHost, parseListen, type ListenAddress } from './address.ts';
import { LoginBudget, loginSource, type LoginBudgetOptions } from './login-budget.ts';
import { guardConnection } from './packet-guard.ts';
import { indexRetained } from './retained-index.ts';
import { dropQueuedMessages } from './session-store.ts';
import { TokenBucket } from './token-bucket.ts';

/**
 * aedes numbers a packet when it arrives but emits a retained or QoS 1 one
 * only after its asynchronous store steps, and packets of one TCP read are
 * handled concurrently; its per-client duplicate filter ("drop what is not
 * newer than the last packet delivered") then drops the earlier packet when a
 * later one overtook it. Seen: a device's retained birth followed in the same
 * write by its sync request never reached dp/v1/st/+/up/+; the same would
 * drop a station's retained snapshot overtaken by its action ack. The filter
 * only exists to suppress the second copy for a client whose own filters
 * overlap, which MQTT 3.1.1 allows to be delivered and every receiver here
 * takes idempotently, so it is switched off for every client.
 */
const NO_DUPLICATE_FILTER = new Proxy(Object.create(null) as object, {
  get: () => 0,
  set: () => true,
  deleteProperty: () => true,
});

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
  /** Record device birth and last will into the registry (a service client of this broker). */
  presence?: boolean;
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
  status(): BrokerStatus;
  close(): Promise<void>;
}

/** Redacts anything credential-shaped, should it ever reach a log line. */
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

/**
 * A station connects with its id as client id; a service account as itself
 * or `<account>-<component>` (e.g. svc-host-presence), so several host
 * components can share one account without taking over each other's session.
 */
function clientIdAllowed(username: string, clientId: string): boolean {
  if (!Object.hasOwn(SERVICE_ACCOUNTS, username)) return clientId === username;
  return clientId === username || clientId.startsWith(username + '-');
}

function authError(returnCode: AuthenticateError['returnCode'], message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
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
  const accounts = new WeakMap<Client, Account>();
  const buckets = new WeakMap<Client, TokenBucket>();
  // held only for the life of a session, to tell an old secret from a rotated one
  const sessionSecrets = new WeakMap<Client, string>();
  const wills = new WeakMap<Client, { topic: string; retain: boolean } | undefined>();
  /** Removed stations whose stored session is still being cleared. */
  const cleanups = new Map<string, Promise<void>>();
  /** Where each connection comes from, by the stream aedes sees (the packet guard's). */
  const sources = new WeakMap<Duplex, string>();
  const logins = new LoginBudget(options.loginBudget);
  /** The source each username last logged in from: its desk is not held up by guesses at its name from elsewhere. */
  const lastGoodSource = new Map<string, string>();

  const persistence = new AsyncLevelPersistence(store);
  // Also means a SUBSCRIBE during shutdown never reads the closing store.
  await indexRetained(persistence);
  const aedes = await Aedes.createBroker({
    persistence,
    connectTimeout: 10_000,
    drainTimeout: 30_000,
    maxTopicLevels: 8,

    preConnect(client, packet, done) {
      (client as unknown as { duplicates: object }).duplicates = NO_DUPLICATE_FILTER;
      wills.set(client, packet.will ? { topic: packet.will.topic, retain: packet.will.retain ?? false } : undefined);
      done(null, true);
    },

    authenticate(client, username, password, done) {
      const source = sources.get(client.conn as unknown as Duplex) ?? 'unknown';
      const refuse = (code: AuthenticateError['returnCode'], reason: string) => {
        log.warn({ clientId: client.id, username, source, reason }, 'connection refused');
        done(authError(code, reason), false);
      };
      if (!username || !password) return refuse(5, 'no username or password');
      // checked before the secret: the rule is public, a mismatch needs no look-up
      if (!clientIdAllowed(username, client.id)) return refuse(2, `client id "${client.id}" does not match username "${username}"`);
      const sourceKey = 'source ' + source;
      const userKey = 'username ' + username;
      const wait = Math.max(logins.wait(sourceKey), lastGoodSource.get(username) === source ? 0 : logins.wait(userKey));
      if (wait > 0) {
        // Not checked, not logged (the burst was logged when it began), and answered late.
        log.debug({ clientId: client.id, username, source, waitMs: wait }, 'connection refused: backing off after failed logins');
        setTimeout(() => done(authError(5, 'too many failed logins; try again later'), false), logins.refusalDelayMs).unref();
        return;
      }
      logins.begin(sourceKey);
      logins.begin(userKey);
      Promise.resolve(cleanups.get(client.id))
        .then(() => registry.authenticate(username, password.toString('utf8')))
        .then((account) => {
          if (!account) {
            const bySource = logins.fail(sourceKey);
            const byUser = logins.fail(userKey);
            if (bySource === 'burst') log.warn({ source, username, backoffMs: logins.wait(sourceKey) }, 'failed logins from one source: backing off (its logins are refused unchecked, for longer with each failure; not logged again until quiet for 10 min)');
            if (byUser === 'burst') log.warn({ username, source, backoffMs: logins.wait(userKey) }, 'failed logins for one username: backing off (except from where it last logged in; not logged again until quiet for 10 min)');
            if (bySource !== 'free' || byUser !== 'free') {
              log.debug({ clientId: client.id, username, source }, 'connection refused: bad username or password');
              return done(authError(4, 'bad username or password'), false);
            }
            return refuse(4, 'bad username or password');
          }
          logins.finish(sourceKey, false);
          logins.finish(userKey, true);
          lastGoodSource.set(username, source);
          const will = wills.get(client);
          const willRefusal = will ? willProblem(account, will) : '';
          if (willRefusal) return refuse(5, willRefusal);
          accounts.set(client, account);
          if (account.role === 'station') {
            buckets.set(client, new TokenBucket(rate.perSecond, rate.burst));
            sessionSecrets.set(client, password.toString('utf8'));
          }
          done(null, true);
        })
        .catch((err: Error) => {
          log.error({ clientId: client.id, err: err.message }, 'authentication failed');
          logins.finish(sourceKey, false);
          logins.finish(userKey, false);
          done(authError(3, 'registry unavailable'), false);
        });
    },

    authorizeSubscribe(client, sub, done) {
      const account = accounts.get(client);
      const problem = account ? subscribeProblem(account, sub.topic) : 'not authenticated';
      if (problem) {
        log.warn({ clientId: client.id, topic: sub.topic, reason: problem }, 'subscribe refused');
        return done(null, null);
      }
      done(null, sub);
    },

    authorizePublish(client, packet, done) {
      if (!client) {
        // a will left by a client of an earlier broker run, published on its behalf
        const parsed = parseStationTopic(packet.topic);
        const isPresence = packet.topic === HOST_PRESENCE || (parsed?.dir === 'up' && parsed.kind === 'presence');
        return done(isPresence ? null : new Error('stored will outside presence topics'));
      }
      const account = accounts.get(client);
      const problem = account ? publishProblem(account, packet.topic, packet.retain) : 'not authenticated';
      if (problem) {
        // MQTT 3.1.1 [MQTT-3.3.5-2] leaves ack-and-drop or disconnect; disconnecting makes a misbehaving device visible
        log.warn({ clientId: client.id, topic: packet.topic, retain: packet.retain, reason: problem }, 'publish refused, disconnecting');
        return done(new Error(problem));
      }
      const bucket = buckets.get(client);
      if (bucket && !bucket.take()) {
        log.warn({ clientId: client.id, limit: rate }, 'publish rate exceeded, disconnecting');
        return done(new Error('publish rate exceeded'));
      }
      done(null);
    },
  });

  aedes.on('clientReady', (client) => log.info({ clientId: client.id }, 'client connected'));
  aedes.on('clientDisconnect', (client) => log.info({ clientId: client.id }, 'client disconnected'));
  aedes.on('clientError', (client, err) => {
    // A refused login comes back here too; authenticate already logged it (or, backing off, chose not to).
    if ('returnCode' in err) return;
    log.warn({ clientId: client.id, err: err.message }, 'client error');
  });
  aedes.on('connectionError', (client, err) => log.warn({ clientId: client.id, err: err.message }, 'connection error'));

  const liveClients = () => Object.values((aedes as unknown as { clients: Record<string, Client> }).clients);
  const closeSession = (client: Client, change: RegistryChange) => {
    log.info({ clientId: client.id, change: change.kind }, 'credentials changed, closing session');
    client.close();
  };
  const dropRevoked = (change: RegistryChange) => {
    if (change.kind !== 'removed' && change.kind !== 'secret') return;
    for (const client of liveClients()) {
      if (accounts.get(client)?.username !== change.id) continue;
      if (change.kind === 'removed') {
        closeSession(client, change);
        continue;
      }
      // A device flashed with the new secret may have logged in before this
      // broker noticed the rotation (another process changed the registry):
      // only sessions that logged in with a secret no longer valid are closed.
      const used = sessionSecrets.get(client) ?? '';
      registry.authenticate(change.id, used).then(
        (account) => account || closeSession(client, change),
        () => closeSession(client, change),
      );
    }
    if (change.kind === 'removed') forgetStation(change.id);
  };
  // A removed station leaves no session, no queued messages and no retained
  // state for a later station with its id; such a station's CONNECT waits
  // until the clean-up is done (see `cleanups` in authenticate).
  const forgetStation = (id: string) => {
    const clearRetained = [downTopic(id, 'snap'), upTopic(id, 'presence')].map(
      (topic) => new Promise<void>((resolve) => aedes.publish({ cmd: 'publish', topic, payload: Buffer.alloc(0), qos: 0, retain: true, dup: false }, () => resolve())),
    );
    const dropSession = persistence.cleanSubscriptions({ id }).then(() => dropQueuedMessages(store, id));
    const cleanup = Promise.all([...clearRetained, dropSession])
      .then(
        () => {},
        (err: Error) => log.warn({ station: id, err: err.message }, 'could not drop the session of a removed station'),
      )
      .finally(() => cleanups.get(id) === cleanup && cleanups.delete(id));
    cleanups.set(id, cleanup);
  };
  const stopWatching = registry.onChange(dropRevoked);

  // Closing the broker ends every device session, but their last wills would
  // reach nobody: the presence tracker is one of the clients being closed.
  const markConnectedOffline = () => {
    for (const client of liveClients()) {
      if (accounts.get(client)?.role !== 'station') continue;
      const station = registry.getStation(client.id);
      if (station?.online) registry.setPresence(client.id, { online: false, session: station.session, lastSeen: Date.now() });
    }
  };

  const sockets = new Set<Duplex>();
  const accept = (conn: Duplex, req?: Parameters<Aedes['handle']>[1]) => {
    if (sockets.size >= maxConnections) {
      log.warn({ maxConnections }, 'connection cap reached, refusing connection');
      conn.destroy();
      return;
    }
    sockets.add(conn);
    conn.once('close', () => sockets.delete(conn));
    const remote = (conn as Socket).remoteAddress ?? req?.socket.remoteAddress;
    const guarded = guardConnection(conn, maxPacketSize, (err) => log.warn({ remote, err: err.message }, 'oversized or malformed packet, connection cut'));
    sources.set(guarded, loginSource(remote));
    aedes.handle(guarded, req);
  };

  const servers: (Server | HttpServer)[] = [];
  let wss: WebSocketServer | null = null;
  let presence: PresenceTracker | null = null;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    stopWatching();
    await presence?.close();
    if (presence) markConnectedOffline();
    for (const server of servers) server.close();
    wss?.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await store.close();
    if (!options.registry) registry.close();
  };

  let tcpPort = 0;
  let tlsPort: number | null = null;
  let wsPort: number | null = null;
  try {
    // Small QoS 1 packets and their PUBACKs would otherwise wait out Nagle's
    // delay (~20 ms per round trip, measured in the service bench).
    const tcp = createTcpServer({ noDelay: true }, (socket) => accept(socket));
    servers.push(tcp);
    tcpPort = await listenOn(tcp, listen);
    if (tlsListen && tlsCredentials) {
      const tls = createTlsServer({ ...tlsCredentials, noDelay: true }, (socket) => accept(socket));
      servers.push(tls);
      tlsPort = await listenOn(tls, tlsListen);
    }
    if (wsListen) {
      const http = createHttpServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n'));
      wss = new WebSocketServer({ server: http, maxPayload: maxPacketSize + 16 });
      wss.on('connection', (ws, req) => accept(createWebSocketStream(ws), req));
      servers.push(http);
      wsPort = await listenOn(http, wsListen);
    }
  } catch (err) {
    await close();
    throw err;
  }

  const url = `mqtt://${formatHost(listen.host)}:${tcpPort}`;
  const wsUrl = wsListen ? `ws://${formatHost(wsListen.host)}:${wsPort}` : null;
  log.info({ url, wsUrl, tlsPort, maxPacketSize, maxConnections }, 'broker listening');

  try {
    if (options.presence ?? true) {
      presence = await trackPresence({ url, registry, logger: log, credentials: await registry.serviceCredentials('svc-host') });
    }
  } catch (err) {
    await close();
    throw err;
  }

  return {
    tcpPort,
    tlsPort,
    wsPort,
    url,
    wsUrl,
    aedes,
    registry,
    close,
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

function readTlsFiles(tls: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  try {
    return { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  } catch (err) {
    throw new UserError(`cannot read the TLS certificate or key: ${(err as Error).message}`, 'pass PEM files with --tls-cert and --tls-key');
  }
}

function listenOn(server: Server | HttpServer, address: ListenAddress): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new UserError(`${address.host}:${address.port} is already in use`, 'stop what listens there or pick another port')
          : err,
      );
    };
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    });
  });
}

