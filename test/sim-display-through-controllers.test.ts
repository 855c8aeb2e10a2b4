// The display drivers (firmware/src/boards/display.ts) through the controller
// models the simulator wires to the board's bus (hardware/sim/ssd1306.ts,
// st7789.ts): every transfer reaches the chip with the levels its chip-select
// and data/command lines had, reset and backlight as the firmware drives them,
// and the glass must show exactly the firmware's Graphics buffer. A driver
// that sends to the wrong address, leaves D/C wrong, skips a wait the
// datasheet asks for, or gets the bit order, an offset or the orientation
// wrong shows something else, or nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { Simulator } from '../hardware/sim/simulator.ts';
import { St7789 } from '../hardware/sim/st7789.ts';

const CONFIG = { v: 1, id: 'desk-glass', host: '127.0.0.1', port: 1, pass: 'x', lang: 'de', digits: 12, net: { ssid: 'hotline', psk: 'x' } };
const WRAP_UP = `var now = Date.now(); DP.post({ t: 'snap', v: { station: 'desk-glass', phase: 5, seq: 1, hostTimeMs: now, phaseSinceMs: now, wrapUpDeadlineMs: now + 150000, areas: [1], wrapUpS: 300, agent: 'A',
  call: { callId: 'c-1', menu: 2, area: 1, ivrAccount: '', offeredMs: now, answeredMs: now, endedMs: now } } })`;

let sim: Simulator | null = null;
afterEach(() => {
  sim?.close();
  sim = null;
});

/** Positions where the glass differs from the Graphics buffer, as "x,y" (at most 5). */
function differences(s: Simulator): string[] {
  const glass = s.glass();
  const buffer = s.framebuffer();
  expect([glass.width, glass.height]).toEqual([buffer.width, buffer.height]);
  const out: string[] = [];
  for (let i = 0; i < buffer.bits.length && out.length < 5; i++) if (glass.bits[i] !== buffer.bits[i]) out.push(`${i % buffer.width},${Math.floor(i / buffer.width)}`);
  return out;
}

describe.each(['esp32-ssd1306', 'esp32-st7789'])('%s: the glass shows the Graphics buffer', (board) => {
  it('with no config, then with one in wrap-up, after a key', async () => {
    for (const config of [undefined, CONFIG]) {
      sim?.close();
      sim = new Simulator({ board, config }).boot();
      await sim.advance(1500);
      if (config) {
        sim.eval(WRAP_UP);
        await sim.advance(1000);
        await sim.press('5');
        await sim.advance(500);
      }
      expect(sim.errors).toEqual([]);
      expect(sim.framebuffer().bits.some((b) => b === 1)).toBe(true);
      expect(differences(sim)).toEqual([]);
      if (sim.panel instanceof St7789) {
        // Exactly the firmware's two colours, and the controller kept every command.
        expect(new Set(sim.panel.glass().rgb)).toEqual(new Set([0, 0xffff]));
        expect(sim.panel.violations).toEqual([]);
      } else {
        expect(sim.panel!.ignored).toEqual([]);
      }
    }
  });
});
