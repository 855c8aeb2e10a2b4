// Board profiles: every shipped profile validates, the committed JSON Schema
// is the one generated from hardware/board.ts, and bad profiles are rejected
// with messages that name the field and what is wrong with it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boardNames, loadBoards, renderBoardSchema, SCHEMA_FILE, validateBoard, type BoardProfile } from '../hardware/board.ts';

const pixl = () => JSON.parse(JSON.stringify(loadBoards().find((b) => b.name === 'pixljs-w5100'))) as BoardProfile;
const esp = () => JSON.parse(JSON.stringify(loadBoards().find((b) => b.name === 'esp32-ssd1306'))) as BoardProfile;

function problemsOf(value: unknown): string {
  try {
    validateBoard(value, 'test profile');
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

describe('board profiles', () => {
  it('ships the four profiles the team agreed on, all valid', () => {
    expect(boardNames()).toEqual(['esp32-ssd1306', 'esp32-st7789', 'linux', 'pixljs-w5100']);
    const boards = loadBoards();
    expect(boards.find((b) => b.name === 'pixljs-w5100')!.budget).toMatchObject({ variables: 2950, storageBytes: 36864 });
    expect(boards.find((b) => b.name === 'esp32-st7789')!.display).toMatchObject({ width: 240, height: 135 });
  });

  it('has a committed schema equal to the one generated from board.ts', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(renderBoardSchema());
  });

  it('rejects a bad pin name, naming the field path', () => {
    const b = esp();
    (b.display.bus as { sda: string }).sda = 'GPIO21';
    expect(problemsOf(b)).toContain('display.bus.sda: "GPIO21" is not an Espruino pin name (D0-D47');
  });

  it('rejects a missing budget and an unknown field together', () => {
    const b = pixl() as unknown as Record<string, unknown>;
    delete b.budget;
    b.colour = 'blue';
    const msg = problemsOf(b);
    expect(msg).toContain('budget: is missing');
    expect(msg).toContain('colour: unknown field');
  });

  it('rejects an unknown network kind, listing the allowed ones', () => {
    const b = pixl() as unknown as { network: { kind: string } };
    b.network = { kind: 'lte' };
    expect(problemsOf(b)).toContain('network: "kind" must be one of "w5100", "wifi", "native"');
  });

  it('rejects a key the firmware does not know', () => {
    const b = pixl();
    if (b.input.kind !== 'buttons') throw new Error('pixl has buttons');
    (b.input.buttons[0] as { key: string }).key = 'enter';
    expect(problemsOf(b)).toContain('input.buttons[0].key: "enter" is not one of');
  });

  it('rejects a keypad whose key map does not match its pins', () => {
    const b = esp();
    if (b.input.kind !== 'keypad') throw new Error('esp32 has a keypad');
    b.input.rows = b.input.rows.slice(0, 3);
    expect(problemsOf(b)).toContain('input.keys: has 4 rows but input.rows lists 3 pins');
  });

  it('rejects a code budget larger than Storage', () => {
    const b = pixl();
    b.budget.codeBytes = 40000;
    expect(problemsOf(b)).toContain('budget.codeBytes: 40000 does not fit budget.storageBytes 36864');
  });
});
