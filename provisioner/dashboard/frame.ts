import type { Simulator } from '../../hardware/sim/simulator.ts';
import type { StationCard } from './card.ts';

export type Frame = NonNullable<StationCard['frame']>;

/**
 * Watches a simulator's display and packs it for the dashboard (1 bit per
 * pixel, rows, MSB first, base64). The raw buffer is compared first, so an
 * unchanged screen costs one memcmp rather than a pixel walk.
 */
export class FrameWatch {
  private raw: Buffer | null = null;
  private packed: Frame | undefined;
  /** Increases whenever the picture changes. */
  version = 0;

  constructor(private readonly sim: Simulator) {}

  /** Looks at the display; returns true if it changed since the last look. */
  poll(): boolean {
    let display;
    try {
      display = this.sim.display();
    } catch {
      return false; // the firmware has not drawn yet
    }
    const now = Buffer.from(display.buffer);
    if (this.raw && this.raw.equals(now)) return false;
    this.raw = Buffer.from(now);
    const { width, height, bits } = this.sim.framebuffer();
    const packed = Buffer.alloc(Math.ceil((width * height) / 8));
    for (let i = 0; i < bits.length; i++) if (bits[i]) packed[i >> 3] |= 0x80 >> (i & 7);
    this.packed = { w: width, h: height, bits: packed.toString('base64') };
    this.version++;
    return true;
  }

  frame(): Frame | undefined {
    return this.packed;
  }
}

/** Whether the simulated module has a digit keypad (as the firmware decides: any input but the 4 buttons). */
export function hasKeypad(sim: Simulator): boolean {
  return sim.board.input.kind !== 'buttons';
}
