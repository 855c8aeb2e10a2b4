// The board description EspruinoTools reads with `--board file.json`, made
// from our board profile. Passing one keeps the library from querying the
// device for it and from downloading https://www.espruino.com/json/<BOARD>.json
// (offline that download fails, and uploads of 512 bytes or less then never
// finish; hardware/docs/board-facts.md, "The console"). binary_version tells it the firmware knows
// Storage (>= 1v96), so file uploads use require("Storage").write.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESPRUINO_MODULES } from '../../firmware/build.ts';
import type { BoardProfile } from '../../hardware/board.ts';
import { ESPRUINO_VERSION } from '../../hardware/espruino.ts';

export function espruinoBoardJson(board: BoardProfile): Record<string, unknown> {
  return {
    BOARD: board.espruinoBoard,
    VERSION: ESPRUINO_VERSION,
    info: {
      id: board.espruinoBoard,
      name: board.title,
      binary_version: ESPRUINO_VERSION,
      builtin_modules: ESPRUINO_MODULES,
    },
  };
}

/** Writes the board JSON to a fresh temp directory and returns its path. */
export function writeBoardJson(board: BoardProfile): string {
  const dir = mkdtempSync(join(tmpdir(), 'deskphone-board-'));
  const path = join(dir, board.espruinoBoard + '.json');
  writeFileSync(path, JSON.stringify(espruinoBoardJson(board)));
  return path;
}
