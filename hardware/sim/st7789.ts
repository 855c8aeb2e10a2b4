// An ST7789 as it sits on a 4-wire SPI bus (CS, D/C, clock, data) with a
// reset line, driving the LILYGO T-Display's 135x240 IPS panel: it decodes
// the bytes by the levels of CS and D/C into its own frame memory, so the
// simulator shows what the glass shows. Sitronix ST7789V datasheet v1.6
// (hardware/docs/board-facts.md): bytes count only while CS is low; with D/C
// low each byte is a command, with D/C high a parameter or pixel data;
// CASET 2Ah / RASET 2Bh set the window, RAMWR 2Ch writes from its start and
// wraps within it; COLMOD 3Ah (55h: 16-bit RGB565 high byte first, 66h: 18-bit
// in three bytes); MADCTL 36h MY/MX/MV; SLPOUT 11h, DISPON 29h, INVON 21h.
// It is strict where the chip is unforgiving: commands sent within 120 ms of
// releasing the reset line, or within 5 ms of SLPOUT, are lost (and listed in
// `violations`); before SLPOUT and DISPON, or with the backlight off, the
// glass stays dark.
//
// The panel: frame memory is 240 columns x 320 rows; the T-Display shows
// columns 52-186 and rows 40-279 (Espruino's ST7789 module: COLSTART 52,
// ROWSTART 40), an IPS panel that shows the controller's output inverted
// unless INVON (that module sends INVON for it). The glass is read as the
// firmware's landscape view (MADCTL MV|MX, 60h): x along the memory rows,
// y against the columns.

export const ST7789_COLUMNS = 240;
export const ST7789_ROWS = 320;
/** The T-Display's visible part of frame memory. */
const PANEL = { col0: 52, cols: 135, row0: 40, rows: 240 };
/** Datasheet: waits before the chip takes commands again. */
export const RESET_WAIT_MS = 120;
export const SLPOUT_WAIT_MS = 5;

export interface ColourGlass {
  width: number;
  height: number;
  /** RGB565 as the glass shows it (0 = dark), row by row. */
  rgb: Uint16Array;
}

export class St7789 {
  readonly ram = new Uint16Array(ST7789_COLUMNS * ST7789_ROWS);
  /** Commands the chip lost (timing), for tests to see. */
  readonly violations: string[] = [];
  private asleep = true;
  private displayOn = false;
  private inverted = false;
  private madctl = 0;
  private colmod = 0x66;
  private xs = 0;
  private xe = ST7789_COLUMNS - 1;
  private ys = 0;
  private ye = ST7789_ROWS - 1;
  private x = 0;
  private y = 0;
  private command = -1;
  private params: number[] = [];
  private pixel: number[] = [];
  private busyUntil = 0;
  private resetLow = false;
  private backlight = true;

  constructor() {
    // Power-on frame memory is undefined: noise, so a pixel the firmware never wrote shows.
    for (let i = 0; i < this.ram.length; i++) this.ram[i] = (i * 2654435761) >>> 16;
  }

  /** The reset line (RESX, active low): releasing it resets every register; the memory keeps its content. */
  reset(level: number, t: number): void {
    if (level === 0) {
      this.resetLow = true;
      return;
    }
    if (!this.resetLow) return;
    this.resetLow = false;
    Object.assign(this, { asleep: true, displayOn: false, inverted: false, madctl: 0, colmod: 0x66, xs: 0, xe: ST7789_COLUMNS - 1, ys: 0, ye: ST7789_ROWS - 1, command: -1 });
    this.busyUntil = t + RESET_WAIT_MS;
  }

  /** The panel's backlight (T-Display: high = on). */
  light(level: number): void {
    this.backlight = level !== 0;
  }

  /** One SPI transfer, with the levels of CS and D/C while it was clocked out. */
  spi(bytes: ArrayLike<number>, cs: number, dc: number, t: number): void {
    if (cs !== 0 || this.resetLow) return;
    let i = 0;
    // A frame is tens of kilobytes of 16-bit pixels: whole pairs skip the byte-by-byte path.
    if (dc === 1 && this.command === 0x2c && (this.colmod & 7) === 5 && !this.pixel.length) {
      for (; i + 1 < bytes.length; i += 2) this.pixelDone((bytes[i] << 8) | bytes[i + 1]);
    }
    for (; i < bytes.length; i++) {
      if (dc === 0) this.begin(bytes[i], t);
      else this.data(bytes[i]);
    }
  }

  private begin(c: number, t: number): void {
    if (t < this.busyUntil) {
      this.violations.push(`command 0x${c.toString(16).padStart(2, '0')} ${this.busyUntil - t} ms too early`);
      this.command = -1;
      return;
    }
    this.command = c;
    this.params = [];
    this.pixel = [];
    if (c === 0x01) {
      this.resetLow = true;
      this.reset(1, t);
    } else if (c === 0x10) this.asleep = true;
    else if (c === 0x11) {
      this.asleep = false;
      this.busyUntil = t + SLPOUT_WAIT_MS;
    } else if (c === 0x20 || c === 0x21) this.inverted = c === 0x21;
    else if (c === 0x28 || c === 0x29) this.displayOn = c === 0x29;
    else if (c === 0x2c) {
      this.x = this.xs;
      this.y = this.ys;
    }
  }

  private data(b: number): void {
    const c = this.command;
    if (c === 0x2c) return this.pixelByte(b);
    this.params.push(b);
    const p = this.params;
    if (c === 0x2a && p.length === 4) {
      this.xs = (p[0] << 8) | p[1];
      this.xe = (p[2] << 8) | p[3];
    } else if (c === 0x2b && p.length === 4) {
      this.ys = (p[0] << 8) | p[1];
      this.ye = (p[2] << 8) | p[3];
    } else if (c === 0x36 && p.length === 1) this.madctl = b;
    else if (c === 0x3a && p.length === 1) this.colmod = b;
  }

  private pixelByte(b: number): void {
    this.pixel.push(b);
    const wide = (this.colmod & 7) === 6;
    if (this.pixel.length < (wide ? 3 : 2)) return;
    const [p0, p1, p2] = this.pixel;
    this.pixel = [];
    // 18-bit: six bits each of red, green and blue in the top of three bytes; kept as RGB565.
    this.pixelDone(wide ? ((p0 >> 3) << 11) | ((p1 >> 2) << 5) | (p2 >> 3) : (p0 << 8) | p1);
  }

  /** A whole pixel at the write position, which then moves on within the window. */
  private pixelDone(rgb: number): void {
    this.store(this.x, this.y, rgb);
    if (this.x < this.xe) this.x++;
    else {
      this.x = this.xs;
      this.y = this.y < this.ye ? this.y + 1 : this.ys;
    }
  }

  /** MADCTL: MV exchanges the window's axes (x then runs along the memory rows), MX mirrors the column, MY the row. */
  private store(x: number, y: number, rgb: number): void {
    const mv = (this.madctl & 0x20) !== 0;
    let col = mv ? y : x;
    let row = mv ? x : y;
    if (this.madctl & 0x40) col = ST7789_COLUMNS - 1 - col;
    if (this.madctl & 0x80) row = ST7789_ROWS - 1 - row;
    if (col >= 0 && col < ST7789_COLUMNS && row >= 0 && row < ST7789_ROWS) this.ram[row * ST7789_COLUMNS + col] = rgb;
  }

  /** The glass in the landscape view: 240 wide, 135 high. */
  glass(): ColourGlass {
    const width = PANEL.rows;
    const height = PANEL.cols;
    const rgb = new Uint16Array(width * height);
    if (this.asleep || !this.displayOn || !this.backlight) return { width, height, rgb };
    for (let y = 0; y < height; y++) {
      const col = PANEL.col0 + PANEL.cols - 1 - y;
      for (let x = 0; x < width; x++) {
        const v = this.ram[(PANEL.row0 + x) * ST7789_COLUMNS + col];
        rgb[y * width + x] = this.inverted ? v : ~v & 0xffff;
      }
    }
    return { width, height, rgb };
  }
}
