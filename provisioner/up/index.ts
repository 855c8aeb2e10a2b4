// `deskphone up`: the whole host in one process. Broker (with the registry's
// credentials and ACLs, durable store in the data dir), station service (on
// the svc-host account), SQLite directory, presence, and the web dashboard.
// With the demo: a small provisioned site, a synthetic directory, one virtual
// desk module per station running the real firmware, virtual agents, and
// simulated calls.
import { randomBytes } from 'node:crypto';
import { Area } from '../../protocol/host-codec.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerHandle } from '../broker/index.ts';
import { startSiteBroker } from './site-broker.ts';
import { hostLogger } from '../logging.ts';
import { parseListen } from '../broker/address.ts';
import type { Context } from '../context.ts';
import { openDataDir } from '../data-dir.ts';
import { startDashboard, isLoopback, type DashboardHandle } from '../dashboard/server.ts';
import { startLiveCards, type LiveCards } from '../dashboard/live-cards.ts';
import { OnDemandScreens } from '../dashboard/on-demand-screens.ts';
import { HardwareMirror, startMirrorLinkStub } from '../dashboard/mirror.ts';
import { DemoAgents } from '../demo/agents.ts';
import { demoAccountNumbers, seedDemoDirectory } from '../demo/directory.ts';
import { VirtualDesk } from '../demo/desk.ts';
import { provisionDemoSite } from '../demo/site.ts';
import { UserError } from '../../lib/user-error.ts';
import { packageVersion } from '../../lib/version.ts';
import { openRegistry, type Registry } from '../registry/index.ts';
import { writePrivateFile } from '../registry/private-file.ts';
import { serviceFromArgs, type ServiceArgs } from '../options/service.ts';
import type { StationService } from '../service/service.ts';
import { CallSimulator } from '../service/sources/simulator.ts';
import { serviceDeskView } from '../service/sources/desk-view.ts';
import type { EventSource } from '../service/sources/source.ts';
import { ensureFirmware } from './firmware.ts';

export interface UpArgs extends Omit<ServiceArgs, 'broker'> {
  /** The site's own broker; the embedded one when absent. */
  broker?: string;
  demo: boolean;
  /** MQTT over TCP, host:port. */
  listen: string;
  /** MQTT over WebSocket, host:port; off unless given. */
  ws?: string;
  /** Dashboard, host:port. */
  http: string;
  /** Demo stations to provision and simulate. */
  stations: number;
  /** Demo: simulated calls (off only for tests that place their own). */
  demoCalls: boolean;
  /** Demo: virtual agents pressing keys (off only for tests that press their own). */
  demoAgents: boolean;
  /** Demo: simulated seconds per real second for ring and talk times. */
  demoSpeed: number;
  /** Extra event sources (e.g. the webhook) started with the service. */
  sources?: EventSource[];
}

/** The demo's wrap-up: long enough to watch and to click, short enough that desks come back while you look. */
export const DEMO_WRAP_UP_S = 60;
/** How long shutdown waits for the broker to record the virtual desks going offline. */
const WILL_WAIT_MS = 10_000;

export interface UpHandle {
  brokerUrl: string;
  wsUrl: string | null;
  dashboardUrl: string;
  dataDir: string;
  /** The embedded broker; null when the site runs its own (--broker). */
  broker: BrokerHandle | null;
  service: StationService;
  registry: Registry;
  desks: Map<string, VirtualDesk>;
  /** Displays by station id: the virtual desks, and hardware mirrors while a dashboard shows them. */
  screens: OnDemandScreens;
  calls: CallSimulator | null;
  close(): Promise<void>;
}

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

/** Starts everything; the caller stops it with close() (Ctrl-C in the CLI). */
export async function startUp(args: UpArgs, ctx: Context): Promise<UpHandle> {
  const dir = openDataDir(ctx);
  const log = (line: string) => ctx.output.err(line);
  const httpAddress = parseListen(args.http, '--http');
  if (args.demo && (!Number.isInteger(args.stations) || args.stations < 1 || args.stations > 500)) {
    throw new UserError(`--stations ${args.stations} is out of range`, 'give 1 to 500');
  }
  if (args.demo && !(args.demoSpeed > 0 && args.demoSpeed <= 60)) throw new UserError(`--demo-speed ${args.demoSpeed} is out of range`, 'give a factor above 0, at most 60');
  // Desks (virtual and mirrors) run the very bundles that get flashed.
  await ensureFirmware(log);

  const stops: (() => Promise<void> | void)[] = [];
  let closing = () => {};
  const close = async () => {
    closing();
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const registry = openRegistry(dir);
    stops.push(() => {
      registry.close();
    });
    const logger = hostLogger('broker', args.verbose ? 'info' : 'warn');
    // Connections cut by our own shutdown are no news.
    closing = () => {
      if (!args.verbose) logger.level = 'error';
    };
    const broker = await startSiteBroker({ external: args.broker, listen: args.listen, ws: args.ws, dataDir: dir, registry, logger });
    stops.push(() => broker.close());
    // A client still subscribing while the store closes crashes aedes' persistence; let the others go first (the presence tracker stays).
    stops.push(() => broker.drained());
    const brokerForDesks = broker.forDesks;

    const demoStations = args.demo ? await provisionDemoSite(registry, dir, args.stations, brokerForDesks) : [];

    const { service, db, close: closeService } = await serviceFromArgs({ ...args, broker: broker.url, user: undefined, passwordFile: undefined }, ctx, packageVersion());
    stops.push(closeService);
    if (args.demo) await seedDemoDirectory(db);
    try {
      await service.start();
    } catch (err) {
      throw new Error(`the station service cannot connect to the broker at ${broker.url}: ${(err as Error).message}`);
    }
    stops.push(() => service.stop());
    // Closed before the service (stops run in reverse), which then still takes their last wills.
    const desks = new Map<string, VirtualDesk>();
    stops.push(async () => {
      for (const desk of desks.values()) desk.close();
      // Wait until the wills are through, so none meets a service or a broker store half shut down.
      const deadline = Date.now() + WILL_WAIT_MS;
      while (Date.now() < deadline && [...desks.keys()].some((id) => registry.getStation(id)?.online)) await new Promise((r) => setTimeout(r, 20));
    });

    const sink = (raw: unknown) => service.ingest(raw);
    for (const source of args.sources ?? []) {
      await source.start(sink, serviceDeskView(service));
      stops.push(() => source.stop());
    }

    for (const station of demoStations) desks.set(station.id, new VirtualDesk(station, brokerForDesks, dir).boot());

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
    const cards: LiveCards = startLiveCards({ registry, service, screens });
    stops.push(() => cards.close());
    const token = isLoopback(httpAddress.host) ? undefined : dashboardToken(dir);
    const dashboard: DashboardHandle = await startDashboard({ host: httpAddress.host, port: httpAddress.port, source: cards, token }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err;
      throw new UserError(`the dashboard address ${args.http} is already in use`, 'stop what listens there or pick another --http');
    });
    stops.push(() => dashboard.close());

    let calls: CallSimulator | null = null;
    if (args.demo && args.demoAgents) {
      const agents = new DemoAgents([...desks.values()], demoAccountNumbers());
      agents.start();
      stops.push(() => agents.stop());
    }
    if (args.demo && args.demoCalls) {
      // About one call per desk and minute, arriving at random.
      calls = new CallSimulator({
        stations: demoStations.map((s) => ({ id: s.id, areas: (registry.getStation(s.id)?.areas ?? []).map((a) => Area[a]) })),
        callsPerMinute: desks.size / args.demoSpeed,
        speed: args.demoSpeed,
        wrapUpSeconds: args.wrapUp,
        accountDigits: args.accountDigits,
        phaseOf: (id) => service.state(id)?.phase,
      });
      await calls.start((raw) => service.ingest(raw));
      const started = calls;
      stops.push(() => started.stop());
    }

    return {
      brokerUrl: broker.url,
      wsUrl: broker.wsUrl,
      dashboardUrl: dashboard.url,
      dataDir: dir,
      broker: broker.embedded,
      service,
      registry,
      desks,
      screens,
      calls,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

