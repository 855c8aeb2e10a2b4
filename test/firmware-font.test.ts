// The firmware font is generated from ASCII art; the generated module must be
// current, and every UI string must be drawable with it (a missing glyph
// would simply vanish from the screen).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FONT_FILE, GLYPHS_FILE, fontModule } from '../scripts/gen-font.ts';
import { BIG, SMALL } from '../firmware/src/ui/font.generated.ts';
import { NET_STEPS, S, nocfgLines, table, tr } from '../firmware/src/core/i18n.ts';

const DE = table('de').split('|');
const EN = table('en').split('|');

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
    expect(tr(table('de'), S.TOPIC + 2)).toBe('Zähler/Zählerstand');
    expect(missing(BIG, '0123456789:?')).toEqual([]);
  });

  it('the German and English tables line up with the string ids', () => {
    for (const t of [DE, EN]) {
      expect(t.length).toBe(S.NET + NET_STEPS.split('|').length);
      expect([t[S.OPEN + 1], t[S.ST + 1]]).toEqual(['', '']);
    }
    expect([DE[S.ST + 2], DE[S.TIMEOUT], DE[S.TICKET], DE[S.NET + 5]]).toEqual(['Nicht gefunden', 'Keine Antwort', 'Ticket', 'Verbunden']);
    expect([EN[S.TOPIC + 5], EN[S.ST + 5], EN[S.READY]]).toEqual(['Switchboard', 'Directory down', 'Ready']);
  });

  it('firmware/README.md lists every German and English string', () => {
    const readme = readFileSync(new URL('../firmware/README.md', import.meta.url), 'utf8');
    const listed = (x: string) => readme.includes('`' + x.replace(/\|/g, '\\|') + '`');
    expect([...DE, ...EN, ...nocfgLines()].filter((x) => x && !listed(x))).toEqual([]);
  });

  it('packs 9-row glyphs with a gap column (widths include it)', () => {
    expect(SMALL.h).toBe(9);
    expect(SMALL.w.charCodeAt('A'.charCodeAt(0) - SMALL.f)).toBe(6);
    expect(SMALL.w.charCodeAt('i'.charCodeAt(0) - SMALL.f)).toBe(2);
    expect(BIG.h).toBe(7);
  });
});
