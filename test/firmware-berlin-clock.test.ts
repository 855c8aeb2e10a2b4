// The Available screen shows Berlin time computed without a time zone
// database: CET in winter, CEST between the last Sundays of March and October.
import { describe, expect, it } from 'vitest';
import { berlinClock } from '../firmware/src/core/view.ts';

function berlin(ms: number): string {
  return new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

describe('Berlin clock', () => {
  it('matches the Europe/Berlin zone around both switches and across years', () => {
    const points = [
      Date.UTC(2026, 2, 29, 0, 59), Date.UTC(2026, 2, 29, 1, 0), Date.UTC(2026, 9, 25, 0, 59), Date.UTC(2026, 9, 25, 1, 0),
      Date.UTC(2024, 1, 29, 23, 30), Date.UTC(2027, 11, 31, 23, 15), Date.UTC(2028, 0, 1, 0, 5), Date.UTC(2030, 6, 4, 12, 0),
    ];
    for (const p of points) expect(berlinClock(p), new Date(p).toISOString()).toBe(berlin(p));
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2029, 0, 1); t += 7 * 3600_000 + 13 * 60_000) expect(berlinClock(t)).toBe(berlin(t));
  });
});
