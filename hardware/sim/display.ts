// The board's display: the Graphics the firmware draws on (the built-in LCD,
// `g` on the Pixl.js, or the buffers it makes for a display on a bus; the one
// at the display's size is what it shows), and the display controller on the
// bus as the parts list builds the board (an SSD1306 at the Adafruit 326's
// address, the T-Display's ST7789), which decodes what the firmware sends into
// its own memory and keeps it across reboots, as the hardware does.
import type { BoardProfile } from '../board.ts';
import type { BusState, BusTransfer } from './bus.ts';
import { Graphics, type ArrayBufferOptions } from './graphics.ts';
import { framePng, type Framebuffer } from './picture.ts';
import type { SimPins } from './pins.ts';
import { ADAFRUIT_326_ADDRESS, Ssd1306 } from './ssd1306.ts';
import { St7789 } from './st7789.ts';

export class SimDisplay {
  /** The controller on the bus; null where the display is built in (Pixl.js) or absent (Linux). */
  readonly panel: Ssd1306 | St7789 | null;
  private made: Graphics[] = [];
  private builtin: Graphics | null = null;

  constructor(private readonly board: BoardProfile) {
    this.panel = board.display.driver === 'ssd1306' ? new Ssd1306(ADAFRUIT_326_ADDRESS) : board.display.driver === 'st7789' ? new St7789() : null;
    // The T-Display's backlight pin starts as an input: dark until the firmware drives it high.
    if (this.panel instanceof St7789) this.panel.light(0);
  }

  /** A fresh interpreter: Graphics in its global object `G`, and `g` and `Pixl` where the board has a built-in LCD. */
  install(G: Record<string, any>): void {
    const made = (this.made = [] as Graphics[]);
    class SimGraphics extends Graphics {
      static override createArrayBuffer(width: number, height: number, bpp: number, options?: ArrayBufferOptions): Graphics {
        const graphics = new SimGraphics(width, height, bpp, options, (n) => new G.ArrayBuffer(n));
        made.push(graphics);
        return graphics;
      }
    }
    G.Graphics = SimGraphics;
    this.builtin = null;
    if (this.board.display.bus.kind === 'builtin') {
      const lcd = new SimGraphics(this.board.display.width, this.board.display.height, 1, {}, (n) => new G.ArrayBuffer(n));
      lcd.flip = () => {
        lcd.flips++;
      };
      this.builtin = lcd;
      G.g = lcd;
      G.Pixl = { setContrast: () => undefined, setLCDPower: () => undefined };
    }
  }

  /** The Graphics the firmware shows: the built-in LCD's `g`, else the last buffer it made at the display's size. */
  shown(): Graphics {
    if (this.builtin) return this.builtin;
    const { width, height } = this.board.display;
    const made = [...this.made].reverse().find((gr) => gr.getWidth() === width && gr.getHeight() === height);
    if (!made) throw new Error(`the firmware has not created a ${width}x${height} Graphics yet`);
    return made;
  }

  framebuffer(): Framebuffer {
    const d = this.shown();
    return { width: d.getWidth(), height: d.getHeight(), bits: d.bits() };
  }

  /**
   * What the glass shows: the display controller's memory as the panel shows
   * it (SSD1306; ST7789, where any colour but black is lit), else the built-in
   * or headless buffer. A correct driver shows framebuffer() here.
   */
  glass(): Framebuffer {
    if (this.panel instanceof Ssd1306) return this.panel.glass();
    if (this.panel instanceof St7789) {
      const { width, height, rgb } = this.panel.glass();
      return { width, height, bits: Uint8Array.from(rgb, (v) => (v ? 1 : 0)) };
    }
    return this.framebuffer();
  }

  /** A picture of the glass in the panel's colours; an ST7789's colours other than black and white as they are. */
  png(scale: number): Buffer {
    const rgb = this.panel instanceof St7789 ? this.panel.glass().rgb : null;
    return framePng(this.glass(), this.board.display.driver, scale, rgb);
  }

  /** Bytes of every buffer the firmware made, for the memory estimate. */
  bufferBytes(): number[] {
    return this.made.map((gr) => gr.buffer.byteLength);
  }

  /**
   * A transfer reaches the display controller only on the bus and pins it is
   * wired to: I2C1 set up on the profile's SDA/SCL, or SPI1 on its MOSI/SCK,
   * with the levels CS and D/C had (a line the firmware never drove counts as
   * high: CS deselected).
   */
  busTransfer(name: string, bus: BusState, t: BusTransfer, pins: SimPins): void {
    const wiring = this.board.display.bus;
    const on = (pin: string) => pins.named(pin);
    if (this.panel instanceof Ssd1306 && wiring.kind === 'i2c' && name === 'I2C1' && t.addr !== undefined) {
      if (bus.setup?.sda === on(wiring.sda) && bus.setup?.scl === on(wiring.scl)) this.panel.i2cWrite(t.addr, t.data);
    } else if (this.panel instanceof St7789 && wiring.kind === 'spi' && name === 'SPI1') {
      if (bus.setup?.mosi !== on(wiring.mosi) || bus.setup?.sck !== on(wiring.sck)) return;
      this.panel.spi(t.data, t.pins[on(wiring.cs)] ?? 1, t.pins[on(wiring.dc)] ?? 1, t.t);
    }
  }

  /** The display's reset and backlight lines. */
  pinChanged(pin: string, v: number, pins: SimPins, now: number): void {
    const wiring = this.board.display.bus;
    if (!(this.panel instanceof St7789) || wiring.kind !== 'spi') return;
    if (pin === pins.named(wiring.rst)) this.panel.reset(v, now);
    if (wiring.bl && pin === pins.named(wiring.bl)) this.panel.light(v);
  }
}
