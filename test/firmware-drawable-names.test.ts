// Names and addresses come from the directory in any script; the screen shows
// what the firmware font can draw instead of letting letters vanish.
import { describe, expect, it } from 'vitest';
import { SMALL } from '../firmware/src/ui/font.generated.ts';
import { drawable } from '../firmware/src/core/view.ts';

function inFont(text: string): boolean {
  return [...text].every((ch) => {
    const i = ch.charCodeAt(0) - SMALL.f;
    return i >= 0 && i < SMALL.w.length && SMALL.w.charCodeAt(i) > 0;
  });
}

describe('drawable customer text', () => {
  it('keeps German letters, drops accents the font lacks, marks the rest', () => {
    expect(drawable('Jürgen Weiß-Öztürk')).toBe('Jürgen Weiß-Öztürk');
    expect(drawable('José Núñez, Rue de Fançon')).toBe('Jose Nunez, Rue de Fancon');
    expect(drawable('Łukasz Świątek')).toBe('?ukasz ?wi?tek');
    expect(drawable('Straße 1 § 2')).toBe('Straße 1 ? 2');
  });

  it('whatever comes in, every character it returns has a glyph', () => {
    let all = '';
    for (let c = 32; c < 400; c++) all += String.fromCharCode(c);
    expect(inFont(drawable(all))).toBe(true);
  });
});
