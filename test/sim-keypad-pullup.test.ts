// Finding 5 of issue 11: on ESP32, setWatch switches its pin to pull-up
// (targets/esp32/jshardware.c jshPinWatch), so a keypad read through
// pulled-down columns never sees a key. The simulator does the same; the
// firmware's keypad idles its open-drain rows low with the columns pulled up
// and watches falling edges. Held keys join their row and column in the
// simulator's wiring, so three keys of a rectangle show a fourth (ghosting):
// the firmware refuses any reading of more than one key.
import { afterEach, describe, expect, it } from 'vitest';
import { Simulator } from '../hardware/sim/simulator.ts';

const CONFIG = { v: 1, id: 'desk-keys', host: '127.0.0.1', port: 1, pass: 'x', lang: 'de', digits: 12, net: { ssid: 'hotline', psk: 'x' } };

let sim: Simulator | null = null;
afterEach(() => {
  sim?.close();
  sim = null;
});

/** A desk on the talking screen, where digits go into the account field. */
async function talking(board: string): Promise<Simulator> {
  sim = new Simulator({ board, config: CONFIG }).boot();
  await sim.advance(500);
  sim.eval(`var now = Date.now(); DP.post({ t: 'snap', v: { station: 'desk-keys', phase: 4, seq: 1, hostTimeMs: now, phaseSinceMs: now, areas: [1], wrapUpS: 300, agent: 'A',
    call: { callId: 'c-1', menu: 2, area: 1, ivrAccount: '', offeredMs: now, answeredMs: now, endedMs: 0 } } })`);
  return sim;
}

const account = (s: Simulator) => (s.state() as { acc: string }).acc;

describe('setWatch on ESP32 pulls up', () => {
  it('overrides an earlier pull-down on ESP32; a Pixl.js pin keeps it', async () => {
    sim = new Simulator({ board: 'esp32-ssd1306' }).boot();
    sim.eval('pinMode(D4, "input_pulldown")');
    expect(sim.pins.read('D4')).toBe(0);
    sim.eval('setWatch(function () {}, D4, { repeat: true })');
    expect(sim.pins.read('D4')).toBe(1);
    sim.close();
    sim = new Simulator({ board: 'pixljs-w5100' }).boot();
    sim.eval('pinMode(D4, "input_pulldown"); setWatch(function () {}, D4, { repeat: true })');
    expect(sim.pins.read('D4')).toBe(0);
  });
});

describe('the keypad under pull-ups', () => {
  for (const board of ['esp32-ssd1306', 'esp32-st7789']) {
    it(`${board}: every key, a correction, a long press`, async () => {
      const s = await talking(board);
      for (const key of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0']) await s.press(key);
      expect(account(s)).toBe('1234567890');
      await s.press('back');
      expect(account(s)).toBe('123456789');
      // Wrap-up: a long '#' (ok) is "ready", a short '1' a ticket.
      s.eval(`var now = Date.now(); DP.post({ t: 'snap', v: { station: 'desk-keys', phase: 5, seq: 2, hostTimeMs: now, phaseSinceMs: now, wrapUpDeadlineMs: now + 300000, areas: [1], wrapUpS: 300, agent: 'A',
        call: { callId: 'c-1', menu: 2, area: 1, ivrAccount: '', offeredMs: now, answeredMs: now, endedMs: now } } })`);
      await s.press('ready');
      await s.press('1');
      expect((s.state() as { act: { kd: number }[] }).act.map((a) => a.kd)).toEqual([4, 1]);
      expect(s.errors).toEqual([]);
      expect(s.pins.shorts).toBe(0);
    });
  }

  it('refuses a ghosted chord (three keys of a rectangle show the fourth) and two keys at once', async () => {
    const s = await talking('esp32-ssd1306');
    await s.press('9');
    for (const chord of [['1', '2', '4'], ['7', '8']]) {
      for (const key of chord) {
        s.pins.hold(key);
        await s.advance(60);
      }
      await s.advance(300);
      for (const key of chord) s.pins.release(key);
      await s.advance(300);
      expect(account(s)).toBe('9');
    }
    // The wiring really ghosts: with 1, 2 and 4 held, key 5's column (D25) falls when its row (D12) is pulled low alone.
    for (const key of ['1', '2', '4']) s.pins.hold(key);
    expect(s.eval('var rows = [D13, D12, D14, D27]; digitalWrite(rows, -1); digitalWrite(D12, 0); var ghost = digitalRead(D25); digitalWrite(rows, 0); ghost')).toBe(0);
    for (const key of ['1', '2', '4']) s.pins.release(key);
    await s.advance(300);
    await s.press('6');
    expect(account(s)).toBe('96');
    expect(s.pins.shorts).toBe(0);
    expect(s.errors).toEqual([]);
  });
});
