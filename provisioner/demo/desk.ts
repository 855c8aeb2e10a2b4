// A virtual desk module: the real firmware bundle for the station's board in
// the simulator with the wall clock, its deskphone.json in its Storage,
// connected to the broker over TCP exactly like a module on the LAN.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Simulator } from '../../hardware/sim/simulator.ts';
import { DIST_DIR } from '../../firmware/build.ts';
import { FrameWatch, hasKeypad, type Frame } from '../dashboard/frame.ts';
import type { Screen } from '../dashboard/screen.ts';
import { DEMO_DIR, type DemoStation } from './site.ts';

/** How long a visitor's key press keeps the virtual agent's hands off the desk. */
export const VISITOR_HOLD_MS = 60_000;

/** What the desk's firmware holds (DP.state()), as far as the virtual agent needs it. */
export interface DeskView {
  phase: number;
  callId: string;
  ivrAccount: string;
  /** Digits keyed in so far. */
  account: string;
  lookupAsked: boolean;
  /** Action kinds sent for this call. */
  actions: number[];
}

export class VirtualDesk implements Screen {
  readonly sim: Simulator;
  readonly frames: FrameWatch;
  private visitorAt = 0;

  constructor(
    readonly station: DemoStation,
    broker: { host: string; port: number },
    dataDir: string,
  ) {
    const storageDir = join(dataDir, DEMO_DIR, 'storage');
    mkdirSync(storageDir, { recursive: true });
    this.sim = new Simulator({
      board: station.board,
      bundle: join(DIST_DIR, `${station.board}.js`),
      // Storage survives a restart like flash does: session counter and unacknowledged actions.
      storage: join(storageDir, `${station.id}.json`),
      config: { ...station.config, host: broker.host, port: broker.port },
      clock: 'real',
      startTime: Date.now(),
    });
    this.frames = new FrameWatch(this.sim);
  }

  get id(): string {
    return this.station.id;
  }

  get lang(): string {
    return this.station.config.lang;
  }

  get keypad(): boolean {
    return hasKeypad(this.sim);
  }

  boot(): this {
    this.sim.boot();
    return this;
  }

  /** A key from a dashboard visitor: the virtual agent pauses for a while. */
  press(key: string): void {
    this.visitorAt = Date.now();
    void this.type(key);
  }

  poll(): boolean {
    return this.frames.poll();
  }

  frame(): Frame | undefined {
    return this.frames.frame();
  }

  visitorActive(now = Date.now()): boolean {
    return now - this.visitorAt < VISITOR_HOLD_MS;
  }

  /** A key from the virtual agent. */
  type(key: string): Promise<void> {
    return this.sim.press(key).catch((err: Error) => {
      this.sim.errors.push({ message: `press ${key}: ${err.message}` });
    });
  }

  view(): DeskView {
    const s = this.sim.state() as { sn: { phase: number; call: { callId: string; ivrAccount: string } | null } | null; acc: string; lk: unknown; act: { kd: number }[] };
    return {
      phase: s.sn?.phase ?? 0,
      callId: s.sn?.call?.callId ?? '',
      ivrAccount: s.sn?.call?.ivrAccount ?? '',
      account: s.acc,
      lookupAsked: s.lk !== null,
      actions: s.act.map((a) => a.kd),
    };
  }

  close(): void {
    this.sim.close();
  }
}
