// The broker `deskphone up` runs its site on: the embedded one, or with
// --broker the site's own (mosquitto with dynamic security, provisioned by
// the registry since `deskphone external-broker`). Either way the registry
// follows the desks' birth and last will.
import type { Logger } from 'pino';
import { startBroker, type BrokerHandle } from '../broker/index.ts';
import { parseListen } from '../broker/address.ts';
import { trackBrokerPresence, trackPresence } from '../presence.ts';
import type { Registry } from '../registry/index.ts';

/** How long shutdown waits for the embedded broker's other clients to go. */
const CLIENTS_GONE_MS = 10_000;

export interface SiteBroker {
  url: string;
  wsUrl: string | null;
  /** Where desks on this machine (the demo's) reach it. */
  forDesks: { host: string; port: number };
  /** The embedded broker; null with --broker. */
  embedded: BrokerHandle | null;
  /** Stops what `up` started (not an external broker, of course). */
  close(): Promise<void>;
  /** Waits until only the host's own presence client is left, so none still subscribes while the store closes. */
  drained(): Promise<void>;
}

/** Where the desks on this machine reach a broker listening on `host`. */
function deviceHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

export async function startSiteBroker(options: { external?: string; listen: string; ws?: string; dataDir: string; registry: Registry; logger: Logger }): Promise<SiteBroker> {
  const { registry, logger } = options;
  if (options.external) {
    const url = new URL(options.external);
    const presence = await trackPresence({ url: options.external, registry, logger, credentials: await registry.serviceCredentials('svc-host') });
    return {
      url: options.external,
      wsUrl: null,
      forDesks: { host: url.hostname, port: Number(url.port) || (url.protocol === 'mqtts:' ? 8883 : 1883) },
      embedded: null,
      close: () => presence.close(),
      drained: async () => {},
    };
  }
  const broker = await startBroker({ dataDir: options.dataDir, registry, listen: options.listen, ws: options.ws, logger });
  const presence = await trackBrokerPresence(broker, logger).catch(async (err) => {
    await broker.close();
    throw err;
  });
  return {
    url: broker.url,
    wsUrl: broker.wsUrl,
    forDesks: { host: deviceHost(parseListen(options.listen, '--listen').host), port: broker.tcpPort },
    embedded: broker,
    async close() {
      await presence.close();
      await broker.close();
    },
    async drained() {
      const deadline = Date.now() + CLIENTS_GONE_MS;
      while (Date.now() < deadline && broker.aedes.connectedClients > 1) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
