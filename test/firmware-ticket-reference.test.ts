// Finding 12 of issue 11: after a ticket is acknowledged the caller asks for
// its reference, and the agent reads it off the wrap-up screen. The host's
// references are like T-2026-000123; in a wrap-up grid cell it was cut
// ("✓T-2026-.") on 128x64 and did not fit on 240x135 either. On every board
// the whole reference must be drawn inside the panel.
import { describe, expect, it } from 'vitest';
import { loadBoards } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';

const CONFIG = { v: 1, id: 'desk-ref', host: '127.0.0.1', port: 1, pass: 'x', lang: 'de', digits: 12, net: { ssid: 'hotline', psk: 'x' } };
const CHECK = '\x7f';

describe('the ticket reference in wrap-up', () => {
  for (const board of loadBoards()) {
    it(`${board.name}: drawn in full, inside the panel, the newest acknowledged one`, async () => {
      const sim = new Simulator({ board: board.name, config: CONFIG }).boot();
      try {
        await sim.advance(1000);
        sim.eval(`var now = Date.now(); DP.post({ t: 'snap', v: { station: 'desk-ref', phase: 5, seq: 1, hostTimeMs: now, phaseSinceMs: now, wrapUpDeadlineMs: now + 300000, areas: [1], wrapUpS: 300, agent: 'A',
          call: { callId: 'c-1', menu: 2, area: 1, ivrAccount: '', offeredMs: now, answeredMs: now, endedMs: now } } })`);
        const drawn = () => sim.display().texts.map((t) => t.text);
        for (const [key, kind, ref] of [['ticket', 1, 'T-2026-000123'], ['letter', 2, 'L-2026-004711']] as const) {
          sim.eval(`DP.press('${key}')`);
          sim.eval(`DP.post({ t: 'ack', v: { key: DP.state().act[DP.state().act.length - 1].k, status: 1, ref: '${ref}', kind: ${kind}, detail: '' } })`);
          await sim.advance(1000);
          const text = sim.display().texts.find((t) => t.text.includes(ref));
          expect(text, `${ref} among ${JSON.stringify(drawn())}`).toBeDefined();
          expect(text!.text).toBe(CHECK + ref);
          expect(text!.x).toBeGreaterThanOrEqual(0);
          expect(text!.x + text!.width).toBeLessThanOrEqual(board.display.width);
          expect(sim.screen()).toContain(CHECK + ref);
        }
        // Both actions keep their check mark in their cell.
        expect(drawn().filter((t) => t.includes(CHECK)).length).toBeGreaterThanOrEqual(3);
        expect(sim.errors).toEqual([]);
      } finally {
        sim.close();
      }
    });
  }
});
