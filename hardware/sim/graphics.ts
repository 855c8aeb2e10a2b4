// Espruino's Graphics, limited to the calls the firmware may use (coord/TEAM.md)
// and matched pixel for pixel against the 2v29 interpreter
// (test/sim-graphics.test.ts compares both when the interpreter is installed):
// inclusive rectangle corners, its fixed-point line stepping, bit-packed
// column-major custom fonts with the scale in bits 8-15 of the height, per-line
// alignment, MSB-first 1-bit buffers, clear() to the background colour.
//
// Espruino's built-in font bitmaps are not reproduced: "4x6" and "6x8" have
// their real metrics, but each glyph is drawn as a placeholder box. The
// firmware draws its text with its own custom font, which is exact.

export interface ArrayBufferOptions {
  msb?: boolean;
  vertical_byte?: boolean;
}

interface CustomFont {
  bitmap: string;
  firstChar: number;
  widths: string | number;
  height: number;
}

const BUILTIN_FONTS: Record<string, { width: number; height: number }> = {
  '4x6': { width: 4, height: 6 },
  '6x8': { width: 6, height: 8 },
};

/** Width the interpreter reports for a char past the end of a custom font's width table. */
const PAST_END_WIDTH = 255;

export class Graphics {
  readonly buffer: ArrayBuffer;
  private readonly bytes: Uint8Array;
  private readonly mask: number;
  private fg: number;
  private bg = 0;
  private font: { builtin: string } | { custom: CustomFont } = { builtin: '4x6' };
  private scale = 1;
  private alignX = -1;
  private alignY = -1;
  /** Counts flip() calls, so a simulator can tell when a frame was shown. */
  flips = 0;
  /**
   * The strings drawn since the whole buffer was last painted over (clear(),
   * or a fill covering it, which is how a frame starts): text, position and
   * width, so a test can tell whether a string fits the panel.
   */
  texts: { text: string; x: number; y: number; width: number }[] = [];
  [method: string]: unknown;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly bpp: number,
    private readonly options: ArrayBufferOptions = {},
    makeBuffer: (bytes: number) => ArrayBuffer = (n) => new ArrayBuffer(n),
  ) {
    if (![1, 2, 4, 8, 16].includes(bpp)) throw new Error('Graphics: unsupported bpp ' + bpp);
    this.buffer = makeBuffer(Math.ceil((width * height * bpp) / 8));
    this.bytes = new Uint8Array(this.buffer);
    this.mask = bpp === 16 ? 0xffff : (1 << bpp) - 1;
    this.fg = this.mask;
  }

  /** Espruino's Graphics.createArrayBuffer. */
  static createArrayBuffer(width: number, height: number, bpp: number, options?: ArrayBufferOptions): Graphics {
    return new Graphics(width, height, bpp, options);
  }

  getWidth(): number {
    return this.width;
  }

  getHeight(): number {
    return this.height;
  }

  getBPP(): number {
    return this.bpp;
  }

  private colour(args: unknown[]): number {
    if (args.length >= 3) {
      const [r, g, b] = args.map(Number);
      return this.bpp === 1 ? (r + g + b >= 1.5 ? 1 : 0) : Math.round(((r + g + b) / 3) * this.mask);
    }
    const c = args[0];
    if (typeof c === 'string') return /^#?(f{3}|f{6})$/i.test(c) ? this.mask : 0;
    return (Number(c) | 0) & this.mask;
  }

  setColor(...args: unknown[]): this {
    this.fg = this.colour(args);
    return this;
  }

  setBgColor(...args: unknown[]): this {
    this.bg = this.colour(args);
    return this;
  }

  getColor(): number {
    return this.fg;
  }

  getBgColor(): number {
    return this.bg;
  }

  private bitIndex(x: number, y: number): { byte: number; shift: number } {
    if (this.bpp === 1 && this.options.vertical_byte) {
      const k = y & 7;
      return { byte: x + (y >> 3) * this.width, shift: this.options.msb === false ? k : 7 - k };
    }
    const bit = (y * this.width + x) * this.bpp;
    const inByte = bit & 7;
    return { byte: bit >> 3, shift: this.options.msb === false ? inByte : 8 - this.bpp - inByte };
  }

  private put(x: number, y: number, c: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    if (this.bpp === 16) {
      const i = (y * this.width + x) * 2;
      this.bytes[i] = c >> 8;
      this.bytes[i + 1] = c & 255;
      return;
    }
    const { byte, shift } = this.bitIndex(x, y);
    const m = this.mask << shift;
    this.bytes[byte] = (this.bytes[byte] & ~m) | ((c << shift) & m);
  }

  getPixel(x: number, y: number): number {
    x = Math.floor(x);
    y = Math.floor(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return 0;
    if (this.bpp === 16) {
      const i = (y * this.width + x) * 2;
      return (this.bytes[i] << 8) | this.bytes[i + 1];
    }
    const { byte, shift } = this.bitIndex(x, y);
    return (this.bytes[byte] >> shift) & this.mask;
  }

  setPixel(x: number, y: number, c?: number): this {
    this.put(Math.floor(x), Math.floor(y), c === undefined ? this.fg : this.colour([c]));
    return this;
  }

  private fill(x1: number, y1: number, x2: number, y2: number, c: number): void {
    [x1, x2] = x1 > x2 ? [x2, x1] : [x1, x2];
    [y1, y2] = y1 > y2 ? [y2, y1] : [y1, y2];
    for (let y = Math.max(0, Math.floor(y1)); y <= Math.min(this.height - 1, Math.floor(y2)); y++) {
      for (let x = Math.max(0, Math.floor(x1)); x <= Math.min(this.width - 1, Math.floor(x2)); x++) this.put(x, y, c);
    }
  }

  clear(): this {
    this.fill(0, 0, this.width - 1, this.height - 1, this.bg);
    this.texts = [];
    return this;
  }

  fillRect(x1: number, y1: number, x2: number, y2: number): this {
    if (x1 <= 0 && y1 <= 0 && x2 >= this.width - 1 && y2 >= this.height - 1) this.texts = [];
    this.fill(x1, y1, x2, y2, this.fg);
    return this;
  }

  clearRect(x1: number, y1: number, x2: number, y2: number): this {
    this.fill(x1, y1, x2, y2, this.bg);
    return this;
  }

  drawRect(x1: number, y1: number, x2: number, y2: number): this {
    this.drawLine(x1, y1, x2, y1);
    this.drawLine(x2, y1, x2, y2);
    this.drawLine(x2, y2, x1, y2);
    this.drawLine(x1, y2, x1, y1);
    return this;
  }

  /** The interpreter's line: 8.8 fixed-point steps along the longer axis, starting half a pixel in. */
  drawLine(x1: number, y1: number, x2: number, y2: number): this {
    [x1, y1, x2, y2] = [x1, y1, x2, y2].map(Math.floor);
    const xl = Math.abs(x2 - x1) || 1;
    const yl = Math.abs(y2 - y1) || 1;
    if (xl > yl) {
      if (x1 > x2) [x1, y1, x2, y2] = [x2, y2, x1, y1];
      let pos = (y1 << 8) + 128;
      const step = Math.trunc(((y2 - y1) << 8) / xl);
      for (let x = x1; x <= x2; x++, pos += step) this.put(x, pos >> 8, this.fg);
    } else {
      if (y1 > y2) [x1, y1, x2, y2] = [x2, y2, x1, y1];
      let pos = (x1 << 8) + 128;
      const step = Math.trunc(((x2 - x1) << 8) / yl);
      for (let y = y1; y <= y2; y++, pos += step) this.put(pos >> 8, y, this.fg);
    }
    return this;
  }

  setFontCustom(bitmap: string, firstChar: number, widths: string | number, height: number): this {
    if (typeof bitmap !== 'string') throw new Error('Font bitmap must be a String');
    if (typeof widths !== 'string' && typeof widths !== 'number') throw new Error('Font width must be a String or an integer');
    this.font = { custom: { bitmap, firstChar, widths, height: height & 255 } };
    this.scale = (height >> 8) & 255 || 1;
    return this;
  }

  /** setFont("4x6"), setFont("4x6", 2), setFont("4x6:2"), or a font registered as Graphics.prototype.setFont<Name>. */
  setFont(name: string, scale?: number): this {
    let [base, suffix] = String(name).split(':');
    const s = scale ?? (suffix ? Number(suffix) : 1);
    if (BUILTIN_FONTS[base]) {
      this.font = { builtin: base };
    } else {
      const register = this['setFont' + base];
      if (base === 'Vector') throw new Error('the simulator does not draw the Vector font; use the firmware font');
      if (typeof register !== 'function') throw new Error(`Unknown font ${JSON.stringify(base)}`);
      (register as (this: Graphics, arg?: unknown) => void).call(this, undefined);
    }
    this.scale = s || 1;
    return this;
  }

  getFont(): string {
    const name = 'builtin' in this.font ? this.font.builtin : 'Custom';
    return this.scale === 1 ? name : `${name}:${this.scale}`;
  }

  getFontHeight(): number {
    return ('builtin' in this.font ? BUILTIN_FONTS[this.font.builtin].height : this.font.custom.height) * this.scale;
  }

  setFontAlign(x: number, y: number): this {
    this.alignX = x;
    this.alignY = y;
    return this;
  }

  private charWidth(code: number): number {
    if ('builtin' in this.font) return BUILTIN_FONTS[this.font.builtin].width * this.scale;
    const f = this.font.custom;
    if (code < f.firstChar) return 0;
    if (typeof f.widths === 'number') return f.widths * this.scale;
    const i = code - f.firstChar;
    return (i < f.widths.length ? f.widths.charCodeAt(i) : PAST_END_WIDTH) * this.scale;
  }

  private lineWidth(line: string): number {
    let w = 0;
    for (let i = 0; i < line.length; i++) w += this.charWidth(line.charCodeAt(i));
    return w;
  }

  stringWidth(s: unknown): number {
    return Math.max(0, ...String(s).split('\n').map((l) => this.lineWidth(l)));
  }

  drawString(s: unknown, x: number, y: number, solid?: boolean): this {
    this.texts.push({ text: String(s), x: Math.floor(x), y: Math.floor(y), width: this.stringWidth(s) });
    const lines = String(s).split('\n');
    const lineHeight = this.getFontHeight();
    let top = Math.floor(y);
    if (this.alignY > -1) top -= Math.trunc((lines.length * lineHeight * (this.alignY + 1)) / 2);
    for (const line of lines) {
      let left = Math.floor(x);
      if (this.alignX > -1) left -= Math.trunc((this.lineWidth(line) * (this.alignX + 1)) / 2);
      for (let i = 0; i < line.length; i++) {
        const code = line.charCodeAt(i);
        const w = this.charWidth(code);
        if (solid && w) this.fill(left, top, left + w - 1, top + lineHeight - 1, this.bg);
        this.drawChar(code, left, top);
        left += w;
      }
      top += lineHeight;
    }
    return this;
  }

  private drawChar(code: number, x: number, y: number): void {
    const s = this.scale;
    if ('builtin' in this.font) {
      if (code === 32) return;
      const { width, height } = BUILTIN_FONTS[this.font.builtin];
      for (let gy = 0; gy < height - 1; gy++) {
        for (let gx = 0; gx < width - 1; gx++) {
          if (gx === 0 || gy === 0 || gx === width - 2 || gy === height - 2) this.fill(x + gx * s, y + gy * s, x + gx * s + s - 1, y + gy * s + s - 1, this.fg);
        }
      }
      return;
    }
    const f = this.font.custom;
    if (code < f.firstChar) return;
    const index = code - f.firstChar;
    let columns: number;
    let firstColumn = 0;
    if (typeof f.widths === 'number') {
      columns = f.widths;
      firstColumn = index * columns;
    } else {
      if (index >= f.widths.length) return;
      columns = f.widths.charCodeAt(index);
      for (let i = 0; i < index; i++) firstColumn += f.widths.charCodeAt(i);
    }
    let bit = firstColumn * f.height;
    for (let cx = 0; cx < columns; cx++) {
      for (let cy = 0; cy < f.height; cy++, bit++) {
        const byte = bit >> 3;
        if (byte >= f.bitmap.length) return;
        if ((f.bitmap.charCodeAt(byte) >> (7 - (bit & 7))) & 1) {
          this.fill(x + cx * s, y + cy * s, x + cx * s + s - 1, y + cy * s + s - 1, this.fg);
        }
      }
    }
  }

  /** The frame as 0/1 per pixel, row by row (any non-zero colour is 1). */
  bits(): Uint8Array {
    const out = new Uint8Array(this.width * this.height);
    for (let y = 0; y < this.height; y++) for (let x = 0; x < this.width; x++) out[y * this.width + x] = this.getPixel(x, y) ? 1 : 0;
    return out;
  }

  /** The frame as text: '#' for a set pixel, '.' for a clear one. */
  ascii(): string[] {
    const rows: string[] = [];
    for (let y = 0; y < this.height; y++) {
      let row = '';
      for (let x = 0; x < this.width; x++) row += this.getPixel(x, y) ? '#' : '.';
      rows.push(row);
    }
    return rows;
  }
}
