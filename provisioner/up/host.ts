// up's host part: the broker and presence, the station service with its
// event sources, and the dashboard with a screen for every station (the
// virtual desks' own, hardware mirrors made while a card is shown).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../lib/user-error.ts';
import type { ListenAddress } from '../broker/address.ts';
import type { Context } from '../context.ts';
import { startLiveCards } from '../dashboard/live-cards.ts';
import { HardwareMirror, startMirrorLinkStub } from '../dashboard/mirror.ts';
import { OnDemandScreens } from '../dashboard/on-demand-screens.ts';
import { isLoopback, startDashboard, type DashboardHandle } from '../dashboard/server.ts';
import type { Db } from '../db.ts';
import type { VirtualDesk } from '../demo/desk.ts';
import { hostLogger } from '../logging.ts';
import { serviceFromArgs } from '../options/service.ts';
import { openRegistry, type Registry } from '../registry/index.ts';
import { writePrivateFile } from '../registry/private-file.ts';
import type { StationService } from '../service/service.ts';
import { serviceDeskView } from '../service/sources/desk-view.ts';
import type { UpArgs } from './args.ts';
import { startSiteBroker, type SiteBroker } from './site-broker.ts';
import type { Stops } from './stops.ts';

/** The dashboard token, kept in the data dir (0600) so a bookmarked URL keeps working across restarts. */
function dashboardToken(dir: string): string {
  const file = join(dir, 'secrets', 'dashboard.token');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing) return existing;
  } catch {
    // first run beyond loopback
  }
  const token = randomBytes(18).toString('base64url');
  writePrivateFile(file, token + '\n');
  return token;
}

/** The registry and the site's broker with presence (site-broker.ts). `quiet` turns the broker's logging down for shutdown. */
export async function startBrokerPart(args: UpArgs, dir: string, stops: Stops) {
  const registry = openRegistry(dir);
  stops.push(() => {
    registry.close();
  });
  const logger = hostLogger('broker', args.verbose ? 'info' : 'warn');
  // Connections cut by our own shutdown are no news.
  const quiet = () => {
    if (!args.verbose) logger.level = 'error';
  };
  const broker = await startSiteBroker({ external: args.broker, listen: args.listen, ws: args.ws, dataDir: dir, registry, logger });
  stops.push(() => broker.close());
  // A client still subscribing while the store closes crashes aedes' persistence; let the others go first (the presence tracker stays).
  stops.push(() => broker.drained());
  return { registry, broker, brokerForDesks: broker.forDesks, quiet };
}

/** The station service on the site's broker; `prepare` runs on its database before it starts. */
export async function startServicePart(args: UpArgs, ctx: Context, broker: SiteBroker, stops: Stops, version: string, prepare: (db: Db) => Promise<void>): Promise<StationService> {
  const { service, db, close } = await serviceFromArgs({ ...args, broker: broker.url, user: undefined, passwordFile: undefined }, ctx, version);
  stops.push(close);
  await prepare(db);
  try {
    await service.start();
  } catch (err) {
    throw new Error(`the station service cannot connect to the broker at ${broker.url}: ${(err as Error).message}`);
  }
  stops.push(() => service.stop());
  return service;
}

/** The event sources given to up (the webhook), feeding the service. */
export async function startSources(args: UpArgs, service: StationService, stops: Stops): Promise<void> {
  const sink = (raw: unknown) => service.ingest(raw);
  for (const source of args.sources ?? []) {
    await source.start(sink, serviceDeskView(service));
    stops.push(() => source.stop());
  }
}

/** A screen for every station (a virtual desk's own, or a hardware mirror while its card is shown) and the dashboard. */
export async function startDashboardPart(
  http: { given: string; address: ListenAddress },
  dir: string,
  registry: Registry,
  service: StationService,
  desks: Map<string, VirtualDesk>,
  stops: Stops,
): Promise<{ screens: OnDemandScreens; dashboard: DashboardHandle }> {
  const stub = await startMirrorLinkStub();
  stops.push(() => stub.close());
  // A hardware station's mirror runs only while a dashboard shows its card.
  const screens = new OnDemandScreens(desks, (id) => {
    const station = registry.getStation(id);
    return station && !desks.has(id) ? new HardwareMirror(station, stub.port) : undefined;
  });
  // Stations added or removed while up runs (`deskphone station add` in another shell) get or lose their card, and their snapshot.
  const stopWatchingStations = registry.onChange((change) => {
    if (change.kind === 'removed') screens.forget(change.id);
    if (change.kind === 'added' || change.kind === 'removed') service.stationsChanged();
  });
  stops.push(() => {
    stopWatchingStations();
    screens.close();
  });
  const cards = startLiveCards({ registry, service, screens });
  stops.push(() => cards.close());
  const token = isLoopback(http.address.host) ? undefined : dashboardToken(dir);
  const dashboard = await startDashboard({ host: http.address.host, port: http.address.port, source: cards, token }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    throw new UserError(`the dashboard address ${http.given} is already in use`, 'stop what listens there or pick another --http');
  });
  stops.push(() => dashboard.close());
  return { screens, dashboard };
}
