// Virtual agents at the virtual desks: they key in a contract account while
// talking, then press ticket/letter/forward and often ready during wrap-up,
// through the desk's keys like a person. A desk a dashboard visitor has just
// used is left alone.
import { ActionKind, Phase } from '../../protocol/host-codec.ts';
import type { VirtualDesk } from './desk.ts';
import { seededRandom } from '../seeded-random.ts';

const TICK_MS = 250;

interface Plan {
  /** Call and phase the plan was made for; a change drops it. */
  key: string;
  steps: { at: number; key: string }[];
}

export class DemoAgents {
  private readonly plans = new Map<string, Plan>();
  private readonly random: () => number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly desks: VirtualDesk[],
    /** Accounts the directory knows; agents mostly key in one of these. */
    private readonly accounts: string[],
    seed = Date.now(),
  ) {
    this.random = seededRandom(seed);
  }

  start(): void {
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private between(minS: number, maxS: number): number {
    return (minS + this.random() * (maxS - minS)) * 1000;
  }

  private tick(now: number): void {
    for (const desk of this.desks) {
      if (desk.visitorActive(now)) {
        this.plans.delete(desk.id);
        continue;
      }
      const view = desk.view();
      const key = `${view.callId}/${view.phase}`;
      let plan = this.plans.get(desk.id);
      if (!plan || plan.key !== key) {
        plan = { key, steps: this.planFor(view, now) };
        this.plans.set(desk.id, plan);
      }
      // One key per tick, so a typed number looks typed.
      if (plan.steps.length > 0 && plan.steps[0].at <= now) void desk.type(plan.steps.shift()!.key);
    }
  }

  private planFor(view: ReturnType<VirtualDesk['view']>, now: number): Plan['steps'] {
    if (view.phase === Phase.TALKING && !view.ivrAccount && !view.account) {
      // Mostly a known customer; now and then a number the directory lacks.
      const account = this.random() < 0.9 ? this.accounts[Math.floor(this.random() * this.accounts.length)] : '4999' + String(Math.floor(this.random() * 1e8)).padStart(8, '0');
      const start = now + this.between(2, 5);
      return [...account, 'ok'].map((key, i) => ({ at: start + i * TICK_MS, key }));
    }
    if (view.phase === Phase.WRAP_UP && !view.actions.includes(ActionKind.READY)) {
      const steps: Plan['steps'] = [];
      const r = this.random();
      const first = now + this.between(3, 8);
      const action = r < 0.45 ? 'ticket' : r < 0.6 ? 'letter' : r < 0.7 ? 'fwd' : '';
      if (action) steps.push({ at: first, key: action });
      // Some agents use the whole wrap-up; the host's clock then makes them available.
      if (this.random() < 0.6) steps.push({ at: first + this.between(4, 15), key: 'ready' });
      return steps;
    }
    return [];
  }
}
