// The technician's pages agree with the profiles: an I2C display's address in
// the wiring and the parts list is the one the firmware uses (a module at
// another address stays dark), and every serial board's wiring page gives the
// console's baud rate of its Espruino build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoards } from '../hardware/board.ts';
import { espruinoBuild } from '../hardware/espruino.ts';

const DOCS = join(import.meta.dirname, '..', 'hardware', 'docs');
const page = (name: string) => readFileSync(join(DOCS, name), 'utf8');

describe('board docs state the facts the profile relies on', () => {
  for (const board of loadBoards()) {
    const bus = board.display.bus;
    if (bus.kind === 'i2c') {
      it(`${board.name}: wiring and parts list give the display address 0x${bus.addr.toString(16).toUpperCase()}`, () => {
        const hex = `0x${bus.addr.toString(16).toUpperCase()}`;
        expect(page(`wiring-${board.name}.md`)).toContain(hex);
        expect(page(`bom-${board.name}.md`)).toContain(hex);
      });
    }
    const baud = espruinoBuild(board.firmware.build).consoleBaud;
    if (baud) {
      it(`${board.name}: the wiring page gives the console at ${baud} baud`, () => {
        expect(page(`wiring-${board.name}.md`)).toMatch(new RegExp(`\\b${baud}\\b`));
      });
    }
  }
});
