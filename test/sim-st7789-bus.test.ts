// Findings 2-4 of issue 11, on the T-Display (ESP32 + ST7789 over SPI):
// the data/command pin must reach SPI.write as a Pin (a string is sent as
// data), one SPI write must stay under the 2v29 ESP32 transaction limit of
// 4,092 bytes, and the controller needs its reset pulse and the datasheet's
// waits. The simulator's SPI takes arguments as the interpreter does and
// records every transfer with the pin levels, which these tests read.
import { afterEach, describe, expect, it } from 'vitest';
import { ESP32_SPI_MAX, Simulator } from '../hardware/sim/simulator.ts';

const CONFIG = { v: 1, id: 'desk-tft', host: '127.0.0.1', port: 1, pass: 'x', lang: 'de', digits: 12, net: { ssid: 'hotline', psk: 'x' } };
const DC = 'D16';
const RST = 'D23';
const COMMANDS = [0x11, 0x3a, 0x36, 0x21, 0x29, 0x2a, 0x2b, 0x2c];

let sim: Simulator | null = null;
afterEach(() => {
  sim?.close();
  sim = null;
});

async function booted(seconds: number): Promise<Simulator> {
  sim = new Simulator({ board: 'esp32-st7789', config: CONFIG }).boot();
  await sim.advance(seconds * 1000);
  return sim;
}

describe('SPI in the simulator, as jswrap_spi_write takes its arguments', () => {
  it('a chip select given as text is data; a Pin is lowered for the write', async () => {
    const s = await booted(0);
    const log = s.busLog('SPI1').log;
    const before = log.length;
    s.eval('SPI1.write(0x2c, "D16")');
    expect([...log[before].data]).toEqual([0x2c, 68, 49, 54]);
    s.eval('SPI1.write(0x2c, D16)');
    expect([...log[before + 1].data]).toEqual([0x2c]);
    expect(log[before + 1].pins[DC]).toBe(0);
    expect(s.pins.read(DC)).toBe(1);
  });

  it(`ESP32 refuses one transfer over ${ESP32_SPI_MAX} bytes; the Linux board has no such limit`, async () => {
    const s = await booted(0);
    s.eval(`SPI1.write(new Uint8Array(${ESP32_SPI_MAX}))`);
    expect(() => s.eval(`SPI1.write(new Uint8Array(${ESP32_SPI_MAX + 1}))`)).toThrow('SPI Send Error');
    // Split across arguments, each buffer is its own transaction.
    s.eval(`SPI1.write(new Uint8Array(${ESP32_SPI_MAX}), new Uint8Array(${ESP32_SPI_MAX}))`);
    const linux = new Simulator({ board: 'linux' }).boot();
    try {
      linux.eval('SPI1.write(new Uint8Array(7200))');
    } finally {
      linux.close();
    }
  });
});

describe('the ST7789 driver on the bus', () => {
  it('sends every command with DC low and every parameter and pixel with DC high, never the pin name', async () => {
    const s = await booted(2);
    expect(s.errors).toEqual([]);
    const log = s.busLog('SPI1').log;
    expect(s.busLog('SPI1').setup).toEqual({ mosi: 'D19', sck: 'D18' });
    const commands = log.filter((x) => x.pins[DC] === 0);
    expect(commands.length).toBeGreaterThan(0);
    for (const c of commands) expect(c.data.length === 1 && COMMANDS.includes(c.data[0])).toBe(true);
    expect(log.filter((x) => x.pins[DC] !== 0 && x.pins[DC] !== 1)).toEqual([]);
    // The pixel stream: 240 x 135 x 2 bytes after each RAMWR.
    const ramwr = log.findIndex((x) => x.pins[DC] === 0 && x.data[0] === 0x2c);
    let pixels = 0;
    for (let i = ramwr + 1; i < log.length && log[i].pins[DC] === 1; i++) pixels += log[i].data.length;
    expect(pixels).toBe(240 * 135 * 2);
  });

  it('keeps every transfer well under the ESP32 limit', async () => {
    const s = await booted(2);
    expect(s.errors).toEqual([]);
    const largest = Math.max(...s.busLog('SPI1').log.map((x) => x.data.length));
    expect(largest).toBeLessThanOrEqual(ESP32_SPI_MAX * 0.6);
  });

  it('pulses reset, then waits 120 ms before Sleep Out and 120 ms after it before the next command', async () => {
    const s = await booted(2);
    const resets = s.pins.history.filter((e) => e.pin === RST);
    expect(resets.map((e) => e.v)).toEqual([0, 1]);
    const [low, high] = resets;
    expect(high.t - low.t).toBeGreaterThanOrEqual(0.01);
    const log = s.busLog('SPI1').log;
    expect(log[0].t).toBeGreaterThanOrEqual(high.t + 120);
    expect([...log[0].data]).toEqual([0x11]);
    expect(log[1].t).toBeGreaterThanOrEqual(log[0].t + 120);
    // The backlight is on, and chip select idles high.
    expect(s.pins.read('D4')).toBe(1);
    expect(s.pins.read('D5')).toBe(1);
  });
});
