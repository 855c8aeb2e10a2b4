// A frame as a PNG in the panel's own colours, for screenshots and the docs.
import { PNG } from 'pngjs';
import type { BoardProfile } from '../board.ts';

/** Bits of the frame: 1 = pixel set. */
export interface Framebuffer {
  width: number;
  height: number;
  bits: Uint8Array;
}

const PNG_COLOURS: Record<BoardProfile['display']['driver'], { on: number[]; off: number[] }> = {
  st7567: { on: [0x20, 0x28, 0x20], off: [0xc6, 0xd4, 0xbc] },
  ssd1306: { on: [0x9c, 0xe0, 0xff], off: [0x08, 0x0c, 0x14] },
  st7789: { on: [0xf4, 0xf4, 0xf4], off: [0x10, 0x10, 0x18] },
  buffer: { on: [0, 0, 0], off: [0xff, 0xff, 0xff] },
};

/**
 * The frame in the panel's colours, `scale` pixels per pixel; where an ST7789
 * holds `rgb` (RGB565 per pixel), colours other than black and white as they are.
 */
export function framePng({ width, height, bits }: Framebuffer, driver: BoardProfile['display']['driver'], scale: number, rgb: ArrayLike<number> | null = null): Buffer {
  const { on, off } = PNG_COLOURS[driver];
  const colour = (i: number): number[] => {
    const v = rgb ? rgb[i] : 0;
    if (!rgb || v === 0 || v === 0xffff) return bits[i] ? on : off;
    return [((v >> 11) * 255) / 31, (((v >> 5) & 63) * 255) / 63, ((v & 31) * 255) / 31].map(Math.round);
  };
  const png = new PNG({ width: width * scale, height: height * scale });
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const c = colour(Math.floor(y / scale) * width + Math.floor(x / scale));
      const i = (y * width * scale + x) * 4;
      png.data[i] = c[0];
      png.data[i + 1] = c[1];
      png.data[i + 2] = c[2];
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
