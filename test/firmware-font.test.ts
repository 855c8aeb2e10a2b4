// The firmware font is generated from ASCII art; the generated module must be
// current, and every UI string must be drawable with it (a missing glyph
// would simply vanish from the screen).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FONT_FILE, GLYPHS_FILE, fontModule } from '../scripts/gen-font.ts';
import { BIG, SMALL } from '../firmware/src/ui/font.generated.ts';
import { tr } from '../firmware/src/core/i18n.ts';
import { NET_STEPS, S, nocfgLines, table } from '../firmware/src/core/text.generated.ts';

// Soft hyphens only mark where the ringing screen may break a word; they are never drawn.
const DE = table('de').replaceAll('\u00ad', '').split('|');
const EN = table('en').replaceAll('\u00ad', '').split('|');

function strings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (x && typeof x === 'object') return Object.values(x).flatMap(strings);
  return [];
}

function missing(font: { w: string; f: number }, text: string): string[] {
  return [...new Set(text)].filter((ch) => {
    const i = ch.charCodeAt(0) - font.f;
    return i < 0 || i >= font.w.length || font.w.charCodeAt(i) === 0;
  });
}

describe('firmware font', () => {
  it('font.generated.ts is what scripts/gen-font.ts makes from glyphs.txt', () => {
    expect(readFileSync(FONT_FILE, 'utf8')).toBe(fontModule(readFileSync(GLYPHS_FILE, 'utf8')));
  });

  it('has a glyph for every character of the German and English UI strings, umlauts and ß included', () => {
    const all = [...strings(DE), ...strings(EN), ...nocfgLines(), '0123456789_[]:.,-+/ \x7f'].join('');
    expect(missing(SMALL, all)).toEqual([]);
    expect(missing(SMALL, 'ÄÖÜäöüß')).toEqual([]);
    expect(tr(table('de'), S.MENU + 3)).toBe('Wasserzähler/Zählerstand');
    expect(missing(BIG, '0123456789:?')).toEqual([]);
  });

  it('the German and English tables line up with the string ids', () => {
    for (const t of [DE, EN]) expect(t.length).toBe(S.UPDATE + 1);
    expect([DE[S.LOOKUP + 2], DE[S.TIMEOUT], DE[S.ACTION + 1], DE[S.NET + 5], DE[S.PHASE + 5]]).toEqual(['Nicht gefunden', 'Keine Antwort', 'Ticket', 'Verbunden', 'Nachbearbeitung']);
    expect([EN[S.MENU + 6], EN[S.LOOKUP + 5], EN[S.ACTION + 4], EN[S.NET + NET_STEPS.split('|').length - 1]]).toEqual(['Switchboard', 'Directory down', 'Ready', 'Connected']);
  });


  it('packs 9-row glyphs with a gap column (widths include it)', () => {
    expect(SMALL.h).toBe(9);
    expect(SMALL.w.charCodeAt('A'.charCodeAt(0) - SMALL.f)).toBe(6);
    expect(SMALL.w.charCodeAt('i'.charCodeAt(0) - SMALL.f)).toBe(2);
    expect(BIG.h).toBe(7);
  });
});
