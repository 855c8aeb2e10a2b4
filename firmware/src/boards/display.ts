// Display adapters: each returns a 1-bit Graphics with flip(), drawn by
// firmware/src/ui/draw.ts. The drivers are the minimum each controller needs
// (init sequence, address window, pixel push), written from the datasheets.
import type { BoardProfile } from '../../../hardware/board.ts';
import type { Gfx } from '../ui/draw.ts';

declare const Graphics: any;
declare const I2C1: any;
declare const SPI1: any;
declare const E: any;
declare const g: any;
type Bus = BoardProfile['display']['bus'];
/**
 * Each bus's fields at once: a driver reads its own by full name
 * (`__BOARD__.display.bus.cs`), so each folds to its literal and no object of
 * the profile is built (the build holds an object define in a variable for
 * good: the display's, ~25 variables on the T-Display).
 */
declare const __BOARD__: BoardProfile & { display: { bus: Omit<Extract<Bus, { kind: 'i2c' }>, 'kind'> & Omit<Extract<Bus, { kind: 'spi' }>, 'kind'> } };
declare const global: any;
declare function digitalWrite(pin: any, v: number): void;

// SSD1306 (datasheet rev 1.1, 10.1): display off, clock, multiplex 64, offset 0,
// start line 0, charge pump on, horizontal addressing, segment remap, COM scan
// reversed, COM pins, contrast, pre-charge, VCOMH, resume from RAM, normal, on.
const SSD1306_INIT = [0xae, 0xd5, 0x80, 0xa8, 0x3f, 0xd3, 0, 0x40, 0x8d, 0x14, 0x20, 0, 0xa1, 0xc8, 0xda, 0x12, 0x81, 0xcf, 0xd9, 0xf1, 0xdb, 0x40, 0xa4, 0xa6, 0xaf];

interface Oled {
  g: any;
  a: number;
  /** One page (128 columns) prefixed with the data control byte. */
  pg: Uint8Array;
}

function ssd1306Flip(o: Oled): void {
  I2C1.writeTo(o.a, [0, 0x21, 0, 127, 0x22, 0, 7]);
  for (let p = 0; p < 8; p++) {
    o.pg.set(new Uint8Array(o.g.buffer, p * 128, 128), 1);
    I2C1.writeTo(o.a, o.pg);
  }
}

function ssd1306(): Gfx {
  I2C1.setup({ sda: global[__BOARD__.display.bus.sda], scl: global[__BOARD__.display.bus.scl], bitrate: 400000 });
  // vertical_byte: the buffer is laid out in 8-pixel pages as the controller's RAM,
  // with the page's top row in bit 0 (datasheet 8.7); since 2v25 msb:true is the
  // default (libs/graphics/jswrap_graphics.c), which would put it in bit 7.
  const gr = Graphics.createArrayBuffer(__BOARD__.display.width, __BOARD__.display.height, 1, { vertical_byte: true, msb: false });
  const o: Oled = { g: gr, a: __BOARD__.display.bus.addr, pg: new Uint8Array(129) };
  o.pg[0] = 0x40;
  I2C1.writeTo(o.a, [0].concat(SSD1306_INIT));
  gr.flip = ssd1306Flip.bind(null, o);
  return gr;
}

interface Tft {
  g: any;
  /** Chip select and data/command as the board's Pin objects: SPI.write takes its last argument as a select pin only when it is a Pin. */
  cs: any;
  dc: any;
  /** RGB565 for pixel values 0 and 1: black background, white ink (symmetric, so byte order does not matter). */
  pal: Uint16Array;
  /** Set up and awake: flips before that only wait (the init runs on timers). */
  on: boolean;
}

/** Sends a command (DC low for its byte: SPI.write lowers its Pin argument while it sends) and its parameters. */
function tftCmd(t: Tft, c: number, data: number[] | null): void {
  digitalWrite(t.cs, 0);
  SPI1.write(c, t.dc);
  if (data) SPI1.write(data);
  digitalWrite(t.cs, 1);
}

// T-Display panel: 240x135 visible inside the controller's 240x320 RAM, at column 40, row 53 in landscape.
const X0 = 40;
const Y0 = 53;
// ST7789V datasheet v1.6: RESX low at least 10 us (table 9.3.3); after
// reset 120 ms before Sleep Out may be sent, and after Sleep Out 5 ms before
// the next command, 120 ms until the panel is fully awake (9.1.12, SLPOUT).
const RESET_MS = 10;
const WAKE_MS = 120;

function st7789Flip(t: Tft): void {
  if (!t.on) return;
  const w = t.g.getWidth();
  const h = t.g.getHeight();
  tftCmd(t, 0x2a, [0, X0, (X0 + w - 1) >> 8, (X0 + w - 1) & 255]);
  tftCmd(t, 0x2b, [0, Y0, (Y0 + h - 1) >> 8, (Y0 + h - 1) & 255]);
  digitalWrite(t.cs, 0);
  SPI1.write(0x2c, t.dc);
  // One line per SPI write (240 px x 2 B = 480 bytes), in a strip that exists
  // only while flip() runs. The 2v29 ESP32 build sends one write as one
  // transaction and ESP-IDF refuses one over 4,092 bytes ("SPI Send Error").
  // A strip kept between flips (3 lines, 1,440 bytes: ~115 variables) left a
  // call cycle on the 2,950-variable test build no room (firmware/README.md, "Memory and size").
  const row = new Uint16Array(w);
  const bytes = new Uint8Array(row.buffer);
  for (let y = 0; y < h; y++) {
    E.mapInPlace(new Uint8Array(t.g.buffer, (y * w) >> 3, w >> 3), row, t.pal, 1);
    SPI1.write(bytes);
  }
  digitalWrite(t.cs, 1);
}

/** The init after the reset pulse, one step per datasheet wait: release reset, sleep out, then set up and show what was drawn meanwhile. */
function st7789Init(t: Tft, rst: any, stage: number): void {
  if (stage === 0) {
    digitalWrite(rst, 1);
    setTimeout(st7789Init, WAKE_MS, t, rst, 1);
  } else if (stage === 1) {
    tftCmd(t, 0x11, null);
    setTimeout(st7789Init, WAKE_MS, t, rst, 2);
  } else {
    // Datasheet v1.6 9.1: 16-bit colour, landscape (MV|MX), inversion on (IPS panel), display on.
    tftCmd(t, 0x3a, [0x55]);
    tftCmd(t, 0x36, [0x60]);
    tftCmd(t, 0x21, null);
    tftCmd(t, 0x29, null);
    t.on = true;
    st7789Flip(t);
  }
}

function st7789(): Gfx {
  SPI1.setup({ mosi: global[__BOARD__.display.bus.mosi], sck: global[__BOARD__.display.bus.sck], baud: 20000000 });
  const gr = Graphics.createArrayBuffer(__BOARD__.display.width, __BOARD__.display.height, 1, { msb: true });
  const t: Tft = { g: gr, cs: global[__BOARD__.display.bus.cs], dc: global[__BOARD__.display.bus.dc], pal: new Uint16Array([0, 0xffff]), on: false };
  digitalWrite(t.cs, 1);
  if (__BOARD__.display.bus.bl) digitalWrite(global[__BOARD__.display.bus.bl], 1);
  const rst = global[__BOARD__.display.bus.rst];
  digitalWrite(rst, 0);
  setTimeout(st7789Init, RESET_MS, t, rst, 0);
  gr.flip = st7789Flip.bind(null, t);
  return gr;
}

function noFlip(): void {}

/**
 * The board's display. The driver test reads __BOARD__.display.driver itself
 * (not a parameter) so the build can fold it and drop the other drivers; the
 * display's profile is read by full name only where a driver needs it, so the
 * other boards' bundles hold no copy of it.
 */
export function display(): Gfx {
  if (__BOARD__.display.driver === 'st7567') return g;
  if (__BOARD__.display.driver === 'ssd1306') return ssd1306();
  if (__BOARD__.display.driver === 'st7789') return st7789();
  const gr = Graphics.createArrayBuffer(__BOARD__.display.width, __BOARD__.display.height, 1);
  gr.flip = noFlip;
  return gr;
}
