// Every board's real bundle boots in the simulator through its own display
// adapter (Pixl.js built-in LCD, SSD1306 over I2C, ST7789 over SPI, Linux
// buffer) and draws the not-set-up screen when Storage has no config.
import { describe, expect, it } from 'vitest';
import { loadBoards } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';

describe('boot on every board without a config', () => {
  for (const [what, text] of [['cut-off JSON', '{"v":1,"id":"desk-07","ho'], ['a config without broker or secret', '{"v":1,"id":"desk-07"}']]) {
    it(`linux: ${what} in deskphone.json is "not set up", not a crash`, async () => {
      const sim = new Simulator({ board: 'linux', clock: 'manual', storage: { 'deskphone.json': text } }).boot();
      try {
        await sim.advance(2000);
        expect(sim.errors).toEqual([]);
        expect(sim.screen()[0]).toBe('Nicht eingerichtet');
      } finally {
        sim.close();
      }
    });
  }

  for (const board of loadBoards()) {
    it(`${board.name}: says how to set it up, on its own display`, async () => {
      const sim = new Simulator({ board: board.name, clock: 'manual' }).boot();
      try {
        await sim.advance(3000);
        expect(sim.errors).toEqual([]);
        expect(sim.screen()).toEqual(['Nicht eingerichtet', 'Keine Konfiguration.', 'Einrichten mit', 'deskphone flash', 'No config: set up', 'with deskphone flash']);
        const fb = sim.framebuffer();
        expect([fb.width, fb.height]).toEqual([board.display.width, board.display.height]);
        // The inverted title bar: the top-left pixel row is set across the width.
        expect(fb.bits[0] && fb.bits[fb.width - 1]).toBeTruthy();
        expect(sim.console).toEqual([]);
        // Boards with a backlight LED switch it on.
        if (board.led) expect(sim.pins.read(board.led)).toBe(1);
      } finally {
        sim.close();
      }
    });
  }
});
