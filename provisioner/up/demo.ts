// up's demo part: a small provisioned site with a synthetic directory, one
// virtual desk module per station running the real firmware, virtual agents
// pressing its keys, and simulated calls. Without --demo none of it runs.
import { Area } from '../../protocol/host-codec.ts';
import { UserError } from '../../lib/user-error.ts';
import type { Db } from '../db.ts';
import { DemoAgents } from '../demo/agents.ts';
import { VirtualDesk } from '../demo/desk.ts';
import { demoAccountNumbers, seedDemoDirectory } from '../demo/directory.ts';
import { provisionDemoSite, type DemoStation } from '../demo/site.ts';
import type { Registry } from '../registry/index.ts';
import type { StationService } from '../service/service.ts';
import { CallSimulator } from '../service/sources/simulator.ts';
import type { UpArgs } from './args.ts';
import type { Stops } from './stops.ts';

/** The demo's wrap-up: long enough to watch and to click, short enough that desks come back while you look. */
export const DEMO_WRAP_UP_S = 60;
/** How long shutdown waits for the virtual desks' last wills. */
const WILL_WAIT_MS = 10_000;

export function checkDemoArgs(args: UpArgs): void {
  if (!args.demo) return;
  if (!Number.isInteger(args.stations) || args.stations < 1 || args.stations > 500) {
    throw new UserError(`--stations ${args.stations} is out of range`, 'give 1 to 500');
  }
  if (!(args.demoSpeed > 0 && args.demoSpeed <= 60)) throw new UserError(`--demo-speed ${args.demoSpeed} is out of range`, 'give a factor above 0, at most 60');
}

export class UpDemo {
  /** The virtual desks by station id; empty without the demo. */
  readonly desks = new Map<string, VirtualDesk>();
  calls: CallSimulator | null = null;
  private stations: DemoStation[] = [];

  constructor(
    private readonly args: UpArgs,
    private readonly registry: Registry,
    private readonly dir: string,
  ) {}

  /** Before the service starts, which reads the stations then. */
  async provision(broker: { host: string; port: number }): Promise<void> {
    if (this.args.demo) this.stations = await provisionDemoSite(this.registry, this.dir, this.args.stations, broker);
  }

  async seed(db: Db): Promise<void> {
    if (this.args.demo) await seedDemoDirectory(db);
  }

  /**
   * Closes the desks before the service stops (stops run in reverse), which
   * then still takes their last wills; waits until the wills are through, so
   * none meets a service or a broker store half shut down.
   */
  closeDesksFirst(stops: Stops): void {
    stops.push(async () => {
      for (const desk of this.desks.values()) desk.close();
      const deadline = Date.now() + WILL_WAIT_MS;
      while (Date.now() < deadline && [...this.desks.keys()].some((id) => this.registry.getStation(id)?.online)) await new Promise((r) => setTimeout(r, 20));
    });
  }

  bootDesks(broker: { host: string; port: number }): void {
    for (const station of this.stations) this.desks.set(station.id, new VirtualDesk(station, broker, this.dir).boot());
  }

  /** Agents at the virtual desks and calls to them, each unless a test places its own. */
  async startTraffic(service: StationService, stops: Stops): Promise<void> {
    const { args, desks } = this;
    if (args.demo && args.demoAgents) {
      const agents = new DemoAgents([...desks.values()], demoAccountNumbers());
      agents.start();
      stops.push(() => agents.stop());
    }
    if (!args.demo || !args.demoCalls) return;
    // About one call per desk and minute, arriving at random.
    const calls = new CallSimulator({
      stations: this.stations.map((s) => ({ id: s.id, areas: (this.registry.getStation(s.id)?.areas ?? []).map((a) => Area[a]) })),
      callsPerMinute: desks.size / args.demoSpeed,
      speed: args.demoSpeed,
      wrapUpSeconds: args.wrapUp,
      accountDigits: args.accountDigits,
      phaseOf: (id) => service.state(id)?.phase,
    });
    await calls.start((raw) => service.ingest(raw));
    stops.push(() => calls.stop());
    this.calls = calls;
  }
}
