import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The board profiles named in the team's hardware contract, used until hardware/boards/ holds them. */
const CONTRACT_BOARDS = ['pixljs-w5100', 'esp32-ssd1306', 'esp32-st7789', 'linux'];

const BOARDS_DIR = fileURLToPath(new URL('../../hardware/boards/', import.meta.url));

/** Board names a station may be registered with: the profiles in hardware/boards/*.json. */
export function knownBoards(dir = BOARDS_DIR): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
  } catch {
    // no profiles directory in this install: fall through to the contract's list
  }
  return names.length > 0 ? names.sort() : CONTRACT_BOARDS;
}
