// draw(g, screen): lays a Screen out on any 1-bit display. Everything is
// measured in lines of the firmware font; displays 200 px and wider draw that
// font at twice the size, so 128x64 and 240x135 share one layout.
import { Big, Screen } from '../core/view.ts';
import { BIG, SMALL } from './font.generated.ts';

/** The part of Espruino's Graphics the firmware uses (the simulator implements exactly this). */
export interface Gfx {
  getWidth(): number;
  getHeight(): number;
  clear(): Gfx;
  setColor(c: number): Gfx;
  setBgColor(c: number): Gfx;
  fillRect(x1: number, y1: number, x2: number, y2: number): Gfx;
  drawRect(x1: number, y1: number, x2: number, y2: number): Gfx;
  setFontCustom(bitmap: string, firstChar: number, widths: string, height: number): Gfx;
  setFontAlign(x: number, y: number): Gfx;
  drawString(s: string, x: number, y: number, solid?: boolean): Gfx;
  stringWidth(s: string): number;
  flip?(): void;
}

function small(g: Gfx, s: number): void {
  g.setFontCustom(SMALL.b, SMALL.f, SMALL.w, SMALL.h | (s << 8));
}

/** The string cut to fit maxW pixels in the current font, a cut marked with '.'. */
function fit(g: Gfx, str: string, maxW: number): string {
  if (g.stringWidth(str) <= maxW) return str;
  while (str.length > 1 && g.stringWidth(str + '.') > maxW) str = str.substring(0, str.length - 1);
  return str + '.';
}

/** Draws big text (big font) scaled as large as fits the box; returns the width it used. */
function big(g: Gfx, str: string, x: number, y: number, w: number, h: number, centre: boolean): number {
  g.setFontCustom(BIG.b, BIG.f, BIG.w, BIG.h);
  // Each glyph width includes a trailing gap column; the last one is not part of the ink.
  const w1 = g.stringWidth(str) - 1;
  let k = Math.floor(h / BIG.h);
  const kw = Math.floor(w / w1);
  if (kw < k) k = kw;
  if (k < 1) k = 1;
  g.setFontCustom(BIG.b, BIG.f, BIG.w, BIG.h | (k << 8));
  const dx = centre ? Math.floor((w - w1 * k) / 2) : 0;
  g.drawString(str, x + dx, y + Math.floor((h - BIG.h * k) / 2));
  return w1 * k;
}

export function draw(g: Gfx, sc: Screen): void {
  const W = g.getWidth();
  const H = g.getHeight();
  // Text scale: 2 on the larger boards.
  const s = W >= 200 ? 2 : 1;
  const lh = SMALL.h * s;
  const fg = sc.i ? 0 : 1;
  const bg = 1 - fg;
  g.setFontAlign(-1, -1);
  g.setBgColor(bg);
  g.setColor(bg);
  g.fillRect(0, 0, W - 1, H - 1);
  small(g, s);
  // Header: inverted bar, title left, then the offline mark and the right-hand text at the right edge.
  g.setColor(fg);
  g.fillRect(0, 0, W - 1, lh - 1);
  g.setColor(bg);
  let right = W - 2 * s;
  if (sc.r) {
    right -= g.stringWidth(sc.r);
    g.drawString(sc.r, right + s, 0);
    right -= 3 * s;
  }
  if (sc.o) {
    // The offline mark: a hole in the bar, so it reads differently from the title.
    const ow = g.stringWidth(sc.o) + 3 * s;
    right -= ow;
    g.fillRect(right, 0, right + ow, lh - 1);
    g.setColor(fg);
    g.drawString(sc.o, right + 2 * s, 0);
    g.setColor(bg);
    right -= 2 * s;
  }
  g.drawString(fit(g, sc.h, right - 2 * s), 2 * s, 0);
  g.setColor(fg);
  const top = lh + s;
  let bottom = H;
  if (sc.f) {
    bottom = H - lh;
    g.drawString(fit(g, sc.f, W - 2 * s), s, bottom);
  }
  const rows = Math.ceil(sc.l.length / sc.g);
  let x = 2 * s;
  let y = top;
  if (sc.bp === Big.ROW) {
    y = bottom - rows * lh;
    let bigBottom = y - s;
    if (sc.p >= 0) {
      const by = y - 7 * s;
      g.drawRect(2 * s, by, W - 1 - 2 * s, by + 4 * s);
      g.fillRect(2 * s, by, 2 * s + Math.round((W - 1 - 4 * s) * sc.p), by + 4 * s);
      bigBottom = by - 2 * s;
    }
    big(g, sc.b, 0, top, W, bigBottom - top, true);
  } else if (sc.bp === Big.LEFT) {
    x += big(g, sc.b, 2 * s, top, Math.floor(W * 0.4), bottom - top, false) + 4 * s;
  }
  small(g, s);
  const colW = Math.floor((W - x) / sc.g);
  for (let i = 0; i < sc.l.length && y + lh <= bottom; i++) {
    const col = i % sc.g;
    g.drawString(fit(g, sc.l[i], colW - 2 * s), x + col * colW, y);
    if (col === sc.g - 1) y += lh;
  }
}
