// The display controller models decode bus bytes into the controller's own
// memory as the chips do (hardware/sim/ssd1306.ts, st7789.ts): addressing
// modes, windows, MADCTL, offsets, and the ways a driver can get it wrong.
import { describe, expect, it } from 'vitest';
import { Ssd1306 } from '../hardware/sim/ssd1306.ts';
import { RESET_WAIT_MS, St7789 } from '../hardware/sim/st7789.ts';

/** A 128x64 test picture: a diagonal, a box at the top left, a dot at the bottom right. */
function picture(): Uint8Array {
  const bits = new Uint8Array(128 * 64);
  for (let i = 0; i < 64; i++) bits[i * 128 + i * 2] = 1;
  for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) bits[y * 128 + x] = 1;
  bits[63 * 128 + 127] = 1;
  return bits;
}

/** The picture as SSD1306 pages: byte = 8 rows of one column, bit 0 on top. */
function pages(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 * 128);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 128; x++) if (bits[y * 128 + x]) out[(y >> 3) * 128 + x] |= 1 << (y & 7);
  return out;
}

const ON = [0xae, 0x8d, 0x14, 0xa1, 0xc8, 0xa6, 0xa4, 0xaf];

describe('SSD1306 on I2C', () => {
  it('horizontal addressing with a column and page window fills the RAM as the glass shows it', () => {
    const oled = new Ssd1306(0x3c);
    oled.i2cWrite(0x3c, [0x00, ...ON, 0x20, 0x00, 0x21, 0, 127, 0x22, 0, 7]);
    const ram = pages(picture());
    for (let p = 0; p < 8; p++) oled.i2cWrite(0x3c, [0x40, ...ram.subarray(p * 128, p * 128 + 128)]);
    expect(oled.glass().bits).toEqual(picture());
  });

  it('page addressing: the page start and column nibbles place each page', () => {
    const oled = new Ssd1306(0x3c);
    oled.i2cWrite(0x3c, [0x00, ...ON, 0x20, 0x02]);
    const ram = pages(picture());
    for (let p = 7; p >= 0; p--) {
      oled.i2cWrite(0x3c, [0x80, 0xb0 + p, 0x80, 0x00, 0x80, 0x10]);
      oled.i2cWrite(0x3c, [0x40, ...ram.subarray(p * 128, p * 128 + 128)]);
    }
    expect(oled.glass().bits).toEqual(picture());
  });

  it('shows nothing without the charge pump, nothing at another address, and mirrors without the remaps', () => {
    const dark = new Ssd1306(0x3c);
    dark.i2cWrite(0x3c, [0x00, 0xa1, 0xc8, 0xaf, 0x20, 0x00]);
    dark.i2cWrite(0x3c, [0x40, ...pages(picture())]);
    expect(dark.glass().bits.every((b) => b === 0)).toBe(true);

    const elsewhere = new Ssd1306(0x3d);
    elsewhere.i2cWrite(0x3c, [0x00, ...ON]);
    expect(elsewhere.ignored).toEqual(['write to address 0x3c, the controller answers at 0x3d']);
    expect(elsewhere.glass().bits.every((b) => b === 0)).toBe(true);

    const mirrored = new Ssd1306(0x3c);
    mirrored.i2cWrite(0x3c, [0x00, 0x8d, 0x14, 0xaf, 0x20, 0x00]);
    mirrored.i2cWrite(0x3c, [0x40, ...pages(picture())]);
    // Neither segment nor COM remap: the module shows the picture turned by half a circle.
    expect(mirrored.glass().bits).toEqual(picture().slice().reverse());
  });
});

/** Sends a command (D/C low) and its parameters (D/C high) with CS low, at time t. */
function cmd(tft: St7789, t: number, c: number, ...params: number[]): void {
  tft.spi([c], 0, 0, t);
  if (params.length) tft.spi(params, 0, 1, t);
}

/** The T-Display brought up as the datasheet asks: reset, waits, landscape, inversion, on. */
function awake(): St7789 {
  const tft = new St7789();
  tft.reset(0, 0);
  tft.reset(1, 10);
  cmd(tft, 10 + RESET_WAIT_MS, 0x11);
  const t = 10 + 2 * RESET_WAIT_MS;
  cmd(tft, t, 0x3a, 0x55);
  cmd(tft, t, 0x36, 0x60);
  cmd(tft, t, 0x21);
  cmd(tft, t, 0x29);
  return tft;
}

/** A full landscape frame: white where the picture (scaled to 240x135 by its own rule) is set. */
function frame(tft: St7789, t: number, lit: (x: number, y: number) => boolean): void {
  cmd(tft, t, 0x2a, 0, 40, 0x01, 0x17);
  cmd(tft, t, 0x2b, 0, 53, 0, 187);
  cmd(tft, t, 0x2c);
  const bytes: number[] = [];
  for (let y = 0; y < 135; y++) for (let x = 0; x < 240; x++) bytes.push(...(lit(x, y) ? [0xff, 0xff] : [0, 0]));
  tft.spi(bytes, 0, 1, t);
}

const pattern = (x: number, y: number) => x === y || (x < 10 && y < 5) || (x === 239 && y === 134);

describe('ST7789 on SPI (T-Display)', () => {
  it('a landscape window at the panel offsets lands on the glass as drawn', () => {
    const tft = awake();
    frame(tft, 300, pattern);
    const { width, height, rgb } = tft.glass();
    expect([width, height]).toEqual([240, 135]);
    const lit = [...rgb].map((v) => (v ? 1 : 0));
    const want = Array.from({ length: 240 * 135 }, (_, i) => (pattern(i % 240, Math.floor(i / 240)) ? 1 : 0));
    expect(lit).toEqual(want);
    expect(tft.violations).toEqual([]);
  });

  it('commands too soon after reset are lost; data with D/C low is a command; CS high is nobody', () => {
    const hasty = new St7789();
    hasty.reset(0, 0);
    hasty.reset(1, 0);
    cmd(hasty, 0, 0x11);
    cmd(hasty, 0, 0x29);
    expect(hasty.violations).toEqual(['command 0x11 120 ms too early', 'command 0x29 120 ms too early']);
    expect(hasty.glass().rgb.every((v) => v === 0)).toBe(true);

    const tft = awake();
    const noise = tft.glass().rgb.slice();
    // A driver whose D/C never goes high: the pixel bytes arrive as commands.
    cmd(tft, 300, 0x2a, 0, 40, 0x01, 0x17);
    tft.spi([0x2c, 0x00, 0x00, 0x00, 0x00], 0, 0, 300);
    // Chip select high: the controller ignores the bus (0x28 would switch the display off).
    tft.spi([0x28], 1, 0, 300);
    expect(tft.glass().rgb).toEqual(noise);
    frame(tft, 300, () => true);
    expect(tft.glass().rgb.every((v) => v === 0xffff)).toBe(true);
  });

  it('without INVON the IPS panel shows the inverse; MADCTL without MV draws the picture turned', () => {
    const tft = awake();
    cmd(tft, 300, 0x20);
    frame(tft, 300, () => false);
    expect(tft.glass().rgb.every((v) => v === 0xffff)).toBe(true);

    const portrait = awake();
    cmd(portrait, 300, 0x36, 0x00);
    frame(portrait, 300, pattern);
    const lit = [...portrait.glass().rgb].map((v) => (v ? 1 : 0));
    const want = Array.from({ length: 240 * 135 }, (_, i) => (pattern(i % 240, Math.floor(i / 240)) ? 1 : 0));
    expect(lit).not.toEqual(want);
  });
});
