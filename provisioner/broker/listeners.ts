// Where the broker listens: plain TCP, TLS if given certificates, MQTT over
// WebSocket if asked; every connection counted against a cap and put behind
// the packet-size guard before aedes sees it.
import type { Aedes } from 'aedes';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { UserError } from '../../lib/user-error.ts';
import type { ListenAddress } from './address.ts';
import { loginSource } from './login-budget.ts';
import { guardConnection } from './packet-guard.ts';

export interface ListenersOptions {
  aedes: Aedes;
  log: Logger;
  listen: ListenAddress;
  tls: { listen: ListenAddress; cert: Buffer; key: Buffer } | null;
  ws: ListenAddress | null;
  maxPacketSize: number;
  maxConnections: number;
}

export class Listeners {
  tcpPort = 0;
  tlsPort: number | null = null;
  wsPort: number | null = null;
  private readonly sockets = new Set<Duplex>();
  /** Where each connection comes from, by the stream aedes sees (the packet guard's). */
  private readonly sources = new WeakMap<Duplex, string>();
  private readonly servers: (Server | HttpServer)[] = [];
  private wss: WebSocketServer | null = null;

  constructor(private readonly options: ListenersOptions) {}

  sourceOf(conn: Duplex): string | undefined {
    return this.sources.get(conn);
  }

  /** Opens every listener; on a failure the caller closes what opened. */
  async open(): Promise<void> {
    const { listen, tls, ws, maxPacketSize } = this.options;
    // Small QoS 1 packets and their PUBACKs would otherwise wait out Nagle's
    // delay (~20 ms per round trip, measured in the service bench).
    const tcp = createTcpServer({ noDelay: true }, (socket) => this.accept(socket));
    this.servers.push(tcp);
    this.tcpPort = await listenOn(tcp, listen);
    if (tls) {
      const server = createTlsServer({ cert: tls.cert, key: tls.key, noDelay: true }, (socket) => this.accept(socket));
      this.servers.push(server);
      this.tlsPort = await listenOn(server, tls.listen);
    }
    if (ws) {
      const http = createHttpServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n'));
      this.wss = new WebSocketServer({ server: http, maxPayload: maxPacketSize + 16 });
      this.wss.on('connection', (socket, req) => this.accept(createWebSocketStream(socket), req));
      this.servers.push(http);
      this.wsPort = await listenOn(http, ws);
    }
  }

  /** Stops listening; the connections stay until aedes has closed. */
  stopListening(): void {
    for (const server of this.servers) server.close();
    this.wss?.close();
  }

  destroyConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private accept(conn: Duplex, req?: Parameters<Aedes['handle']>[1]): void {
    const { aedes, log, maxConnections, maxPacketSize } = this.options;
    if (this.sockets.size >= maxConnections) {
      log.warn({ maxConnections }, 'connection cap reached, refusing connection');
      conn.destroy();
      return;
    }
    this.sockets.add(conn);
    conn.once('close', () => this.sockets.delete(conn));
    const remote = (conn as Socket).remoteAddress ?? req?.socket.remoteAddress;
    const guarded = guardConnection(conn, maxPacketSize, (err) => log.warn({ remote, err: err.message }, 'oversized or malformed packet, connection cut'));
    this.sources.set(guarded, loginSource(remote));
    aedes.handle(guarded, req);
  }
}

export function readTlsFiles(tls: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
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
