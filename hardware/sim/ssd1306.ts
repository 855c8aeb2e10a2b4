// An SSD1306 as it sits on the I2C bus of a 128x64 OLED module: it decodes
// what the firmware writes to its address into its own display RAM, so the
// simulator can show what the glass shows, not what the firmware meant.
// Solomon Systech SSD1306 datasheet rev 1.1 (hardware/docs/board-facts.md):
// control byte Co, D/C# (8.1.5.2); GDDRAM of 8 pages x 128 columns, bit 0 of
// a byte the page's top row (8.7); addressing modes and pointers (10.1.1-5,
// 10.1.13); start line, segment remap, COM scan direction, display offset,
// normal/inverse, entire display on, display on/off (10.1.6-15); the charge
// pump that a module running from 3.3 V needs before the panel lights
// (command 8Dh, application note in the datasheet's appendix).
//
// The module's glass is mounted so that segment remap (A1h) and COM scan
// remap (C8h) show column 0 and row 0 at the top left, as the modules'
// vendors specify; the COM pin configuration (DAh) is recorded, not modelled
// (a 64-row module wants 12h).

/**
 * The module the esp32-ssd1306 parts list specifies, Adafruit 326, answers at
 * 0x3D once its I2C jumpers are bridged (hardware/docs/board-facts.md).
 */
export const ADAFRUIT_326_ADDRESS = 0x3d;

export const SSD1306_WIDTH = 128;
export const SSD1306_HEIGHT = 64;

/** Parameter bytes each multi-byte command takes (the rest take none). */
const PARAMS: Record<number, number> = {
  0x20: 1, 0x21: 2, 0x22: 2, 0x26: 6, 0x27: 6, 0x29: 5, 0x2a: 5, 0x81: 1, 0x8d: 1, 0xa3: 2,
  0xa8: 1, 0xd3: 1, 0xd5: 1, 0xd9: 1, 0xda: 1, 0xdb: 1,
};

export interface Glass {
  width: number;
  height: number;
  /** 1 = lit pixel, row by row. */
  bits: Uint8Array;
}

export class Ssd1306 {
  /** GDDRAM: page p, column c at p * 128 + c. */
  readonly ram = new Uint8Array(8 * SSD1306_WIDTH);
  /** Writes to other addresses, and commands the model does not know, for tests to see. */
  readonly ignored: string[] = [];
  private mode = 2;
  private col = 0;
  private page = 0;
  private colStart = 0;
  private colEnd = 127;
  private pageStart = 0;
  private pageEnd = 7;
  private startLine = 0;
  private offset = 0;
  private segRemap = false;
  private comRemap = false;
  private inverse = false;
  private allOn = false;
  private on = false;
  private chargePump = false;
  private command: number[] = [];

  constructor(readonly address: number) {
    // Power-on RAM content is undefined: noise, so a pixel the firmware never wrote shows.
    for (let i = 0; i < this.ram.length; i++) this.ram[i] = (i * 151 + 17) & 0xa5;
  }

  /** One I2C write transaction: the slave address, then control bytes with their commands or data. */
  i2cWrite(addr: number, bytes: ArrayLike<number>): void {
    if (addr !== this.address) {
      this.ignored.push(`write to address 0x${addr.toString(16)}, the controller answers at 0x${this.address.toString(16)}`);
      return;
    }
    let i = 0;
    while (i < bytes.length) {
      const control = bytes[i++];
      const co = control & 0x80;
      const data = control & 0x40;
      // Co = 0: every following byte is of one kind; Co = 1: just the next byte, then another control byte.
      const end = co ? Math.min(i + 1, bytes.length) : bytes.length;
      for (; i < end; i++) {
        if (data) this.data(bytes[i]);
        else this.commandByte(bytes[i]);
      }
    }
  }

  private commandByte(b: number): void {
    this.command.push(b);
    if (this.command.length <= (PARAMS[this.command[0]] ?? 0)) return;
    const [c, ...p] = this.command;
    this.command = [];
    if (c <= 0x0f) this.col = (this.col & 0xf0) | c;
    else if (c <= 0x1f) this.col = ((c & 0x0f) << 4) | (this.col & 0x0f);
    else if (c === 0x20) this.mode = p[0] & 3;
    else if (c === 0x21) {
      this.colStart = p[0] & 127;
      this.colEnd = p[1] & 127;
      this.col = this.colStart;
    } else if (c === 0x22) {
      this.pageStart = p[0] & 7;
      this.pageEnd = p[1] & 7;
      this.page = this.pageStart;
    } else if (c >= 0x40 && c <= 0x7f) this.startLine = c & 63;
    else if (c === 0x8d) this.chargePump = (p[0] & 0x04) !== 0;
    else if (c === 0xa0 || c === 0xa1) this.segRemap = c === 0xa1;
    else if (c === 0xa4 || c === 0xa5) this.allOn = c === 0xa5;
    else if (c === 0xa6 || c === 0xa7) this.inverse = c === 0xa7;
    else if (c === 0xae || c === 0xaf) this.on = c === 0xaf;
    else if (c >= 0xb0 && c <= 0xb7) this.page = c & 7;
    else if (c === 0xc0 || c === 0xc8) this.comRemap = c === 0xc8;
    else if (c === 0xd3) this.offset = p[0] & 63;
    else if (!(c in PARAMS) && c !== 0xe3 && c !== 0x2e && c !== 0x2f) this.ignored.push(`command 0x${c.toString(16)}`);
  }

  private data(b: number): void {
    this.ram[this.page * SSD1306_WIDTH + this.col] = b;
    if (this.mode === 2) {
      // Page mode: the column wraps to 0 on the same page.
      this.col = (this.col + 1) & 127;
    } else if (this.mode === 0) {
      if (this.col < this.colEnd) this.col++;
      else {
        this.col = this.colStart;
        this.page = this.page < this.pageEnd ? this.page + 1 : this.pageStart;
      }
    } else if (this.page < this.pageEnd) this.page++;
    else {
      this.page = this.pageStart;
      this.col = this.col < this.colEnd ? this.col + 1 : this.colStart;
    }
  }

  /** What the panel shows, row by row from the top left as the module is mounted. */
  glass(): Glass {
    const bits = new Uint8Array(SSD1306_WIDTH * SSD1306_HEIGHT);
    if (!this.on || !this.chargePump) return { width: SSD1306_WIDTH, height: SSD1306_HEIGHT, bits };
    for (let y = 0; y < SSD1306_HEIGHT; y++) {
      // The module wires SEG0 at the right and COM0 at the bottom: remapped, column and row 0 are at the top left.
      const scan = this.comRemap ? y : SSD1306_HEIGHT - 1 - y;
      const row = (scan + this.offset + this.startLine) & 63;
      for (let x = 0; x < SSD1306_WIDTH; x++) {
        const col = this.segRemap ? x : SSD1306_WIDTH - 1 - x;
        const set = ((this.ram[(row >> 3) * SSD1306_WIDTH + col] >> (row & 7)) & 1) === 1;
        bits[y * SSD1306_WIDTH + x] = this.allOn || set !== this.inverse ? 1 : 0;
      }
    }
    return { width: SSD1306_WIDTH, height: SSD1306_HEIGHT, bits };
  }
}
