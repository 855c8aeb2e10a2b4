// `deskphone up`: the whole host in one process. Broker (embedded, with the
// registry's credentials and ACLs and its durable store in the data dir; or
// the site's own with --broker), presence, station
// service (on the svc-host account), SQLite directory and the web dashboard
// (host.ts); with --demo also a site of virtual desks, agents and calls
// (demo.ts). This file puts them together in their order.
import type { Context } from '../context.ts';
import { openDataDir } from '../data-dir.ts';
import type { OnDemandScreens } from '../dashboard/on-demand-screens.ts';
import type { VirtualDesk } from '../demo/desk.ts';
import { packageVersion } from '../../lib/version.ts';
import type { Registry } from '../registry/index.ts';
import type { BrokerHandle } from '../broker/index.ts';
import { parseListen } from '../broker/address.ts';
import type { StationService } from '../service/service.ts';
import type { CallSimulator } from '../service/sources/simulator.ts';
import type { UpArgs } from './args.ts';
import { checkDemoArgs, UpDemo } from './demo.ts';
import { ensureFirmware } from './firmware.ts';
import { startBrokerPart, startDashboardPart, startServicePart, startSources } from './host.ts';
import { Stops } from './stops.ts';

export { DEMO_WRAP_UP_S } from './demo.ts';
export type { UpArgs } from './args.ts';



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

/** Starts everything; the caller stops it with close() (Ctrl-C in the CLI). */
export async function startUp(args: UpArgs, ctx: Context): Promise<UpHandle> {
  const dir = openDataDir(ctx);
  const httpAddress = parseListen(args.http, '--http');
  checkDemoArgs(args);
  // Desks (virtual and mirrors) run the very bundles that get flashed.
  await ensureFirmware((line) => ctx.output.err(line));
  const stops = new Stops();
  let closing = () => {};
  const close = async () => {
    closing();
    await stops.closeAll();
  };
  try {
    const { registry, broker, brokerForDesks, quiet } = await startBrokerPart(args, dir, stops);
    closing = quiet;
    const demo = new UpDemo(args, registry, dir);
    await demo.provision(brokerForDesks);
    const service = await startServicePart(args, ctx, broker, stops, packageVersion(), (db) => demo.seed(db));
    demo.closeDesksFirst(stops);
    await startSources(args, service, stops);
    demo.bootDesks(brokerForDesks);
    const { screens, dashboard } = await startDashboardPart({ given: args.http, address: httpAddress }, dir, registry, service, demo.desks, stops);
    await demo.startTraffic(service, stops);
    return {
      brokerUrl: broker.url,
      wsUrl: broker.wsUrl,
      dashboardUrl: dashboard.url,
      dataDir: dir,
      broker: broker.embedded,
      service,
      registry,
      desks: demo.desks,
      screens,
      calls: demo.calls,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
