// The simulator as a console device: statements run in the simulator's vm
// context (where the firmware runs), so `load()` boots what was written to
// .bootcde as the board would. Adds what a board's process.env carries and the
// simulator does not need for itself, plus optional faults for the flasher's
// error paths.
import type { Simulator } from '../simulator.ts';
import type { ReplDevice } from './server.ts';

export interface SimDeviceFaults {
  /** The next N Storage files completed by a write get one byte flipped, as a failing flash cell would. */
  corruptWrites?: number;
}

/** process.env entries a board reports on its console and the simulator leaves out. */
const CONSOLE_ENV = {
  // Not USB/Bluetooth/Telnet: the CLI then keeps its 19-byte writes (hardware/docs/board-facts.md, "The console").
  CONSOLE: 'Serial1',
};

type Global = Record<string, any>;

export class SimReplDevice implements ReplDevice {
  private seen = 0;
  private readonly wrapped = new WeakSet<object>();

  constructor(
    readonly sim: Simulator,
    private readonly faults: SimDeviceFaults = {},
  ) {}

  evaluate(code: string): unknown {
    this.prepare(this.sim.eval('globalThis') as Global);
    return this.sim.eval(code);
  }

  takeOutput(): string[] {
    const lines = this.sim.console.slice(this.seen);
    this.seen = this.sim.console.length;
    return lines;
  }

  /** Re-applied before every statement: a reboot builds a fresh context. */
  private prepare(G: Global): void {
    for (const [k, v] of Object.entries(CONSOLE_ENV)) if (!(k in G.process.env)) G.process.env[k] = v;
    if (this.faults.corruptWrites && !this.wrapped.has(G.require)) {
      const require = G.require as (name: string) => unknown;
      const withFaults = (name: string) => {
        const mod = require(name) as Global;
        return name === 'Storage' ? this.corrupting(mod) : mod;
      };
      this.wrapped.add(withFaults);
      G.require = withFaults;
    }
  }

  private corrupting(storage: Global): Global {
    const write = storage.write as (n: string, data: unknown, offset?: number, size?: number) => boolean;
    const sim = this.sim;
    const faults = this.faults;
    return Object.assign({}, storage, {
      write(name: string, data: unknown, offset?: number, size?: number) {
        const ok = write(name, data, offset, size);
        const file = sim.storage.bytes(String(name));
        const length = typeof data === 'string' ? data.length : (data as ArrayLike<unknown>).length;
        const complete = offset === undefined || offset + length === file?.length;
        if (file && complete && faults.corruptWrites) {
          faults.corruptWrites--;
          sim.storage.damage(String(name), file.length >> 1);
        }
        return ok;
      },
    });
  }
}
