// The display drivers (firmware/src/boards/display.ts) through the
// controller models (hardware/sim/ssd1306.ts, st7789.ts): what the bundle
// sent on its bus in the simulator, with the reset, backlight, chip-select and
// data/command levels at each transfer, is replayed into the model of the
// chip, and the glass must show exactly the firmware's Graphics buffer.
import { afterEach, describe, expect, it } from 'vitest';
import { loadBoard } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { Ssd1306 } from '../hardware/sim/ssd1306.ts';
import { St7789 } from '../hardware/sim/st7789.ts';

const CONFIG = { v: 1, id: 'desk-glass', host: '127.0.0.1', port: 1, pass: 'x', lang: 'de', digits: 12, net: { ssid: 'hotline', psk: 'x' } };
const WRAP_UP = `var now = Date.now(); DP.post({ t: 'snap', v: { station: 'desk-glass', phase: 5, seq: 1, hostTimeMs: now, phaseSinceMs: now, wrapUpDeadlineMs: now + 150000, areas: [1], wrapUpS: 300, agent: 'A',
  call: { callId: 'c-1', menu: 2, area: 1, ivrAccount: '', offeredMs: now, answeredMs: now, endedMs: now } } })`;

let sim: Simulator | null = null;
afterEach(() => {
  sim?.close();
  sim = null;
});

/** The desk with no config (the not-set-up screen), then with one in wrap-up. */
async function scenes(board: string, each: (s: Simulator) => void): Promise<void> {
  for (const config of [undefined, CONFIG]) {
    sim?.close();
    sim = new Simulator({ board, config }).boot();
    await sim.advance(1500);
    if (config) {
      sim.eval(WRAP_UP);
      await sim.advance(1000);
    }
    expect(sim.errors).toEqual([]);
    each(sim);
  }
}

describe('the display drivers through the controller models', () => {
  it('SSD1306 over I2C: the glass is the Graphics buffer', async () => {
    const board = loadBoard('esp32-ssd1306');
    if (board.display.bus.kind !== 'i2c') throw new Error('esp32-ssd1306 is on I2C');
    const addr = board.display.bus.addr;
    await scenes(board.name, (s) => {
      const oled = new Ssd1306(addr);
      for (const x of s.busLog('I2C1').log) oled.i2cWrite(x.addr!, x.data);
      expect(oled.ignored).toEqual([]);
      expect([...oled.glass().bits]).toEqual([...s.framebuffer().bits]);
    });
  });

  it('ST7789 over SPI: reset and waits kept, the glass is the Graphics buffer', async () => {
    const board = loadBoard('esp32-st7789');
    if (board.display.bus.kind !== 'spi') throw new Error('esp32-st7789 is on SPI');
    const { cs, dc, rst, bl } = board.display.bus;
    await scenes(board.name, (s) => {
      const tft = new St7789();
      const [csPin, dcPin, rstPin, blPin] = [cs, dc, rst, bl!].map((name) => s.pins.named(name));
      // Pin changes and transfers in the order they happened.
      const pinEvents = s.pins.history.filter((e) => e.pin === rstPin || e.pin === blPin);
      let next = 0;
      for (const x of s.busLog('SPI1').log) {
        for (; next < pinEvents.length && pinEvents[next].t <= x.t; next++) {
          const e = pinEvents[next];
          if (e.pin === rstPin) tft.reset(e.v, e.t);
          else tft.light(e.v);
        }
        tft.spi(x.data, x.pins[csPin] ?? 1, x.pins[dcPin] ?? 1, x.t);
      }
      expect(tft.violations).toEqual([]);
      const glass = tft.glass();
      expect([glass.width, glass.height]).toEqual([board.display.width, board.display.height]);
      expect([...glass.rgb].map((v) => (v ? 1 : 0))).toEqual([...s.framebuffer().bits]);
    });
  });
});
