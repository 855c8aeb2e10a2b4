// Finding 10 of issue 11: each 2v29 build opens consoles besides the wired
// serial one at every start: the Bluetooth UART on the Pixl.js and on ESP32
// (Bluetooth is on by default there), and telnet on port 23 on ESP32. Anyone
// in reach could read deskphone.json with the station secret, or replace the
// firmware. The simulator opens them as the builds do; the firmware closes
// them at boot, leaving the wired console for the technician (and flashing).
import { describe, expect, it } from 'vitest';
import { loadBoards } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';

const CONFIG = { v: 1, id: 'desk-console', host: '127.0.0.1', port: 1, pass: 'x', lang: 'de', digits: 12, net: { ssid: 'hotline', psk: 'x' } };

describe('consoles', () => {
  it('the builds open them: Bluetooth UART on Pixl.js and ESP32, telnet on ESP32, none besides stdin on Linux', async () => {
    const opened: Record<string, string[]> = {};
    for (const board of ['pixljs-w5100', 'esp32-ssd1306', 'linux']) {
      // Reset, as before any code runs.
      const sim = new Simulator({ board }).boot();
      sim.eval('reset()');
      await new Promise((r) => setImmediate(r));
      opened[board] = sim.openConsoles();
      sim.close();
    }
    expect(opened).toEqual({ 'pixljs-w5100': ['bluetooth'], 'esp32-ssd1306': ['bluetooth', 'telnet'], linux: [] });
  });

  for (const board of loadBoards()) {
    it(`${board.name}: the firmware closes every console but the wired one at boot`, async () => {
      const sim = new Simulator({ board: board.name, config: CONFIG }).boot();
      try {
        await sim.advance(1000);
        expect(sim.errors).toEqual([]);
        expect(sim.openConsoles()).toEqual([]);
      } finally {
        sim.close();
      }
    });
  }
});
