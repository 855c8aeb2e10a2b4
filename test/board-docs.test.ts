// Every board profile has a wiring table and a bill of materials, and the
// wiring table names every pin the profile uses, so docs and profile agree.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoards, type BoardProfile } from '../hardware/board.ts';

const DOCS = join(import.meta.dirname, '..', 'hardware', 'docs');

function pinsOf(b: BoardProfile): string[] {
  const pins: string[] = [];
  const bus = b.display.bus;
  if (bus.kind === 'i2c') pins.push(bus.sda, bus.scl);
  if (bus.kind === 'spi') pins.push(bus.mosi, bus.sck, bus.cs, bus.dc, bus.rst, ...(bus.bl ? [bus.bl] : []));
  if (b.input.kind === 'buttons') pins.push(...b.input.buttons.map((x) => x.pin));
  if (b.input.kind === 'keypad') pins.push(...b.input.rows, ...b.input.cols);
  if (b.network.kind === 'w5100') pins.push(b.network.mosi, b.network.miso, b.network.sck, b.network.cs);
  if (b.buzzer) pins.push(b.buzzer);
  if (b.led) pins.push(b.led);
  return pins;
}

describe('board docs', () => {
  for (const board of loadBoards()) {
    it(`${board.name}: wiring names every profile pin, and a BOM exists`, () => {
      const wiring = readFileSync(join(DOCS, `wiring-${board.name}.md`), 'utf8');
      const missing = pinsOf(board).filter((p) => !new RegExp(`\\b${p}\\b`).test(wiring));
      expect(missing).toEqual([]);
      expect(wiring).toContain(`hardware/boards/${board.name}.json`);
      expect(existsSync(join(DOCS, `bom-${board.name}.md`))).toBe(true);
    });
  }
});
