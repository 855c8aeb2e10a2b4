// Firmware size: each board's bundle against its slot (the code budget), the
// Storage layout with a typical config and how an update arrives, and, when the
// interpreter's 2950-variable Linux build is found (test/helpers/interpreter.ts),
// the variables each board's bundle really uses there with its stand-in: at
// the first screen, online after boot and after a full call cycle over MQTT
// (test/helpers/real-board-run.ts), next to the stand-in's own share, the
// room a call cycle's peak leaves (the largest ballast it survives), the
// variables the update side takes once evaluated, and the simulator's
// estimate; and an SPI display's flip() time. Measures only; never fails on a
// number (the transfer's peak is checked by test/update-real-interpreter).
import { readFileSync } from 'node:fs';
import { formatTable } from '../provisioner/text.ts';
import { buildAll, updateArrives, type BoardBuild } from '../firmware/build.ts';
import { loadBoard, type BoardProfile } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { brokerWithStations, type BrokerFixture } from '../test/helpers/broker-fixtures.ts';
import { boardStandIn } from '../test/helpers/board-stand-in.ts';
import { bootFromFlash } from '../test/helpers/flash-runner.ts';
import { ESPRUINO_2950 } from '../test/helpers/interpreter.ts';
import { bundleOf, callCycle, firstScreen, printed, stationOf, trouble } from '../test/helpers/real-board-run.ts';

/** Variables the stand-in alone holds, under a bundle that does nothing. */
async function standInVars(interpreter: string, board: BoardProfile): Promise<number> {
  const prelude = boardStandIn(board);
  if (!prelude) return 0;
  const out = await bootFromFlash({ interpreter, bundle: '0;', prelude, after: [{ atMs: 500, code: 'print("MEM " + process.memory().usage)' }], timeoutMs: 60_000 });
  const empty = await bootFromFlash({ interpreter, bundle: '0;', after: [{ atMs: 500, code: 'print("MEM " + process.memory().usage)' }], timeoutMs: 60_000 });
  return printed(out, 'MEM') - printed(empty, 'MEM');
}

/**
 * Variables the update side (update/agent.ts) takes once the firmware
 * evaluates it from the end of its image in Storage, as main.ts agent() does
 * for an offer: what an update adds to an idle desk before any chunk.
 */
export async function updateSideVars(interpreter: string, bundle: string): Promise<number> {
  const code = readFileSync(bundle, 'latin1');
  // The build appends it inside a comment: /*<update side>*/ (firmware/build.ts buildBoard).
  const agent = code.slice(code.lastIndexOf('/*') + 2, -2);
  const out = await bootFromFlash({
    interpreter,
    bundle: '0;',
    files: { 'dp.agent': Buffer.from(agent, 'latin1') },
    after: [{ atMs: 500, code: 'var m0 = process.memory().usage; eval(require("Storage").read("dp.agent")); print("AGENT " + (process.memory().usage - m0))' }],
    timeoutMs: 60_000,
  });
  return printed(out, 'AGENT');
}

/**
 * flip() of an SPI display on the real interpreter: ms per frame (the board's
 * SPI.write an empty function, so the figure is the firmware's own work: under
 * qemu here, so compare only with another run of this bench) and writes per frame.
 */
async function flipTime(interpreter: string, board: BoardProfile): Promise<{ ms: number; writes: number }> {
  const FRAMES = 5;
  const code =
    'var n = 0; SPI1.write = function () { n++; }; var t = getTime();' +
    `for (var i = 0; i < ${FRAMES}; i++) SI.g.flip(); print("FLIP " + JSON.stringify({ ms: (getTime() - t) * 1000 / ${FRAMES}, writes: n / ${FRAMES} }))`;
  const out = await bootFromFlash({ interpreter, bundle: bundleOf(board), prelude: boardStandIn(board), after: [{ atMs: 2500, code }], timeoutMs: 60_000 });
  return printed(out, 'FLIP');
}

/**
 * The largest ballast (in variables, held from boot) with which the call cycle
 * still runs without an error: the room its peak leaves. Bisects over bytes.
 */
async function roomInCall(interpreter: string, board: BoardProfile, fx: BrokerFixture): Promise<number> {
  const STEP = 52;
  let ok = 0;
  let lo = 0;
  let hi = 20_000;
  while (hi - lo > STEP) {
    const mid = Math.round((lo + hi) / 2);
    const run = await callCycle(interpreter, board, fx, mid).catch(() => null);
    if (run && trouble(run.out).length === 0) {
      lo = mid;
      ok = printed(run.out, 'BALLAST');
    } else hi = mid;
  }
  return ok;
}

async function realVariables(interpreter: string, builds: BoardBuild[]): Promise<void> {
  const boards = builds.map((b) => loadBoard(b.board));
  const fx = await brokerWithStations(boards.map(stationOf));
  const rows: string[][] = [];
  try {
    for (const board of boards) {
      const { first } = await firstScreen(interpreter, board);
      const { boot, cycle } = await callCycle(interpreter, board, fx);
      const standIn = await standInVars(interpreter, board);
      const room = await roomInCall(interpreter, board, fx);
      const update = await updateSideVars(interpreter, builds.find((b) => b.board === board.name)!.file);
      rows.push([board.name, String(first.vars), String(boot.vars), String(cycle.vars), String(standIn), String(cycle.vars - standIn), String(room), String(update)]);
    }
  } finally {
    await fx.close();
  }
  for (const board of boards.filter((b) => b.display.bus.kind === 'spi')) {
    const f = await flipTime(interpreter, board);
    console.log(`${board.name}: flip() ${f.ms.toFixed(0)} ms per frame on the 2950 build under qemu (SPI.write an empty function), ${f.writes} SPI writes per frame`);
  }
  console.log('Variables on the real interpreter (2v29, 32-bit, 2950 variables), bundles from flash with their board stand-in:');
  console.log(formatTable(['board', 'first screen', 'online', 'after a call', 'stand-in', 'after a call without stand-in', 'room in a call', 'update side evaluated'], rows, { right: [1, 2, 3, 4, 5, 6, 7] }));
}

export async function run(): Promise<void> {
  let builds: BoardBuild[];
  try {
    builds = await buildAll({ quiet: true });
  } catch (err) {
    console.log(`build failed, no sizes: ${(err as Error).message}`);
    return;
  }
  const rows = builds.map((b) => [
    b.board,
    String(b.bytes),
    String(b.budget),
    `${Math.round((100 * b.bytes) / b.budget)}%`,
    String(b.storage.slots.room),
    `${b.storage.used} / ${b.storage.storageBytes}`,
    `${b.storage.slots.count === 1 ? 'one slot' : 'two slots'}: ${updateArrives(b.storage.slots)}`,
  ]);
  console.log(formatTable(['board', 'bundle B', 'budget B', 'used', 'left in the slot B', 'Storage laid out / total', 'an update is received'], rows, { right: [1, 2, 3, 4] }));
  const pixl = builds.find((b) => b.board === 'pixljs-w5100');
  if (pixl) {
    const s = pixl.storage;
    console.log(
      `Pixl.js Storage: the first page (boot stub, config of ${s.configBytes} B typical, compressed boot selector), then one slot of ${s.slots.slotBytes} B ` +
        `holding images up to ${s.slots.imageMax} B: bundle ${s.bundleBytes} B, ${s.slots.room} B left; ${s.used} of ${s.storageBytes} B laid out. ` +
        'An update is received by the recovery, which the boot selector runs instead of the firmware (docs/updates.md, "Why the Pixl.js has one slot")',
    );
  }
  const linux = builds.find((b) => b.board === 'linux');
  if (linux) {
    const sim = new Simulator({ board: 'linux', bundle: linux.file }).boot();
    await sim.advance(2000);
    const estimate = sim.memory();
    sim.close();
    const real = ESPRUINO_2950 ? (await firstScreen(ESPRUINO_2950, loadBoard('linux'))).first.vars : null;
    console.log(`linux bundle after boot, no config: simulator estimate ${estimate.usage} of ${estimate.total} variables; real interpreter ${real ?? 'not found'}`);
  }
  if (ESPRUINO_2950) await realVariables(ESPRUINO_2950, builds);
  else console.log('real interpreter not found: no variable counts per board');
}
