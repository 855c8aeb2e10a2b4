// The real interpreter as second witness (issue 11): every board's own bundle
// boots from Storage on the 32-bit 2950-variable Espruino 2v29 Linux build,
// with a small stand-in for its board (test/helpers/board-stand-in.ts: the
// board's named pins as the interpreter's own Pin objects, the display bus
// recorded). Without a config it reaches its first screen with no error, and
// the pixels equal the simulator's; with a config it goes online against a
// real broker and runs a full call cycle over MQTT (ring, talk, twelve
// digits and a lookup, wrap-up, ticket acknowledged, ready, available), and
// reports its variables after boot and after the cycle.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBoards } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { crc32OfBytes } from '../provisioner/flash/device-console.ts';
import { brokerWithStations, type BrokerFixture } from './helpers/broker-fixtures.ts';
import { readBusLog } from './helpers/board-stand-in.ts';
import { bootFromFlash } from './helpers/flash-runner.ts';
import { ESPRUINO_2950 } from './helpers/interpreter.ts';
import { requires } from './helpers/requires.ts';
import { bundleOf, callCycle, CYCLE_ACCOUNT, firstScreen, printed, stationOf, trouble } from './helpers/real-board-run.ts';

// Skips where the interpreter is missing, fails in CI.
requires('espruino-2950');
const INTERPRETER = ESPRUINO_2950!;
const NOT_SET_UP = ['Nicht eingerichtet', 'Keine Konfiguration.', 'Einrichten mit', 'deskphone flash', 'No config: set up', 'with deskphone flash'];

const tmp = mkdtempSync(join(tmpdir(), 'dp-boards-real-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('every board on the real 2950-variable interpreter', () => {
  for (const board of loadBoards()) {
    it(`${board.name}: first screen from flash, no error, the simulator's pixels`, async () => {
      const busLog = join(tmp, board.name + '.bus');
      const { out, first } = await firstScreen(INTERPRETER, board, busLog);
      expect(trouble(out)).toEqual([]);
      expect(first.screen).toEqual(NOT_SET_UP);

      const sim = new Simulator({ board: board.name }).boot();
      try {
        await sim.advance(1000);
        expect(sim.screen()).toEqual(NOT_SET_UP);
        if (board.display.driver !== 'buffer') expect(first.pixels).toBe(crc32OfBytes(new Uint8Array(sim.display().buffer)));
      } finally {
        sim.close();
      }

      if (board.display.bus.kind === 'builtin') expect(first.frames).toBeGreaterThan(0);
      if (board.display.bus.kind === 'i2c') {
        const bus = readBusLog(busLog);
        // Init, then whole frames: the address window and eight pages of 128 columns after the data control byte.
        expect(bus[0].data![0]).toBe(0);
        expect(bus.filter((x) => x.length === 129).length % 8).toBe(0);
        expect(first.frames).toBeGreaterThanOrEqual(1);
      }
      if (board.display.bus.kind === 'spi') {
        const bus = readBusLog(busLog);
        expect(bus[0]).toMatchObject({ kind: 'C', length: 1 });
        expect(bus[0].data![0]).toBe(0x11);
        // After RAMWR, a whole frame of RGB565 pixels with DC high.
        const ramwr = bus.findIndex((x) => x.kind === 'C' && x.data![0] === 0x2c);
        let pixels = 0;
        for (let i = ramwr + 1; i < bus.length && bus[i].kind === 'D'; i++) pixels += bus[i].length;
        expect(pixels).toBe(board.display.width * board.display.height * 2);
        expect(Math.max(...bus.map((x) => x.length))).toBeLessThanOrEqual(4092);
      }
      if (board.espruinoBoard === 'PIXLJS') expect(first.uart).toBe(false);
      if (board.espruinoBoard === 'ESP32') expect(first.console).toBe('Serial1 forced');
      console.log(`${board.name} on espruino-2950: first screen from flash, ${first.vars} of 2950 variables (stand-in included)`);
    }, 90_000);
  }
});

describe('a broker that refuses at once', () => {
  // The Linux build's net.connect throws at once when the connection is refused;
  // thrown while the boot code still ran, its stack cost the rest of the
  // variables and the boot stopped before DP existed. The link starts after the boot code now.
  it('linux: boots to the connecting screen and keeps trying, memory steady', async () => {
    const board = loadBoards().find((b) => b.name === 'linux')!;
    const config = { v: 1, id: 'desk-refused', board: 'linux', host: '127.0.0.1', port: 1, pass: 'x', lang: 'de', digits: 12 };
    const out = await bootFromFlash({
      interpreter: INTERPRETER,
      bundle: bundleOf(board),
      files: { 'deskphone.json': JSON.stringify(config) },
      after: [3000, 8000].map((t) => ({ atMs: t, code: `print("AT${t} " + JSON.stringify({ screen: DP.screen(), vars: process.memory().usage }))` })),
      timeoutMs: 60_000,
    });
    expect(trouble(out).filter((l) => l !== 'ERROR: Connect failed (err 111)')).toEqual([]);
    const [early, late] = [printed(out, 'AT3000'), printed(out, 'AT8000')];
    expect(late.screen.slice(0, 4)).toEqual(['Start', 'Station desk-refused', 'Verbinde Broker', 'Unable to create socket']);
    expect(late.vars).toBeLessThanOrEqual(early.vars);
  }, 90_000);
});

describe('a full call cycle on the real 2950-variable interpreter', () => {
  let fx: BrokerFixture;
  beforeAll(async () => {
    fx = await brokerWithStations(loadBoards().map(stationOf));
  });
  afterAll(async () => {
    await fx?.close();
  });

  for (const board of loadBoards()) {
    it(`${board.name}: online, a call over MQTT, variables after boot and after the cycle`, async () => {
      const ID = stationOf(board);
      const { out, boot, cycle, hostLog } = await callCycle(INTERPRETER, board, fx);
      expect(trouble(out)).toEqual([]);
      // Online: the connecting screen says so, unless the call rang already.
      expect([['Start', 'Station ' + ID, 'Verbunden'], ['Anruf WV', '2', 'Abrechnung/']]).toContainEqual(boot.screen.slice(0, 3));
      expect(cycle.wrapUp).toEqual(expect.arrayContaining(['\x7fT-2026-000001']));
      expect(cycle.screen[0]).toMatch(/^Bereit/);
      // Nothing of the call stays behind: no actions, requests, digits or lookup.
      expect(cycle.state).toEqual([0, 0, '', null]);
      expect(hostLog).toEqual(['snap 3', 'snap 4', 'lookup ' + CYCLE_ACCOUNT, 'snap 5', 'action 1', 'action 4', 'snap 2']);
      console.log(`${board.name} on espruino-2950: ${boot.vars} variables online after boot, ${cycle.vars} after a full call cycle (of 2950; stand-in and agent script included)`);
    }, 100_000);
  }
});
