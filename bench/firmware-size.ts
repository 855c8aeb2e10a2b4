// Firmware size: each board's bundle against its code budget, the Pixl.js
// bundle plus a typical config against its 36 KB Storage, and, when the
// interpreter's 2950-variable Linux build is found (test/helpers/interpreter.ts), the
// variables the linux bundle really uses after boot, next to the simulator's
// estimate. Measures only; never fails on a number.
import { formatTable } from '../provisioner/text.ts';
import { readFileSync } from 'node:fs';
import { buildAll, TYPICAL_CONFIG, type BoardBuild } from '../firmware/build.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { bootFromFlash, consoleLines } from '../test/helpers/flash-runner.ts';
import { ESPRUINO_2950 } from '../test/helpers/interpreter.ts';

async function realMemoryAfterBoot(bundle: string): Promise<{ usage: number; total: number } | null> {
  if (!ESPRUINO_2950) return null;
  const out = await bootFromFlash({ interpreter: ESPRUINO_2950, bundle: readFileSync(bundle), after: [{ atMs: 2000, code: 'print("MEM",JSON.stringify(process.memory()))' }], timeoutMs: 60_000 });
  const line = consoleLines(out).find((l) => l.startsWith('MEM '));
  return line ? (JSON.parse(line.slice(4)) as { usage: number; total: number }) : null;
}

export async function run(): Promise<void> {
  let builds: BoardBuild[];
  try {
    builds = await buildAll({ quiet: true });
  } catch (err) {
    console.log(`build failed, no sizes: ${(err as Error).message}`);
    return;
  }
  const rows = builds.map((b) => [b.board, String(b.bytes), String(b.budget), `${Math.round((100 * b.bytes) / b.budget)}%`, `${b.storage.used} / ${b.storage.storageBytes}`]);
  console.log(formatTable(['board', 'bundle B', 'budget B', 'used', 'Storage with config / total'], rows, { right: [1, 2, 3] }));
  const pixl = builds.find((b) => b.board === 'pixljs-w5100');
  if (pixl) {
    const s = pixl.storage;
    console.log(
      `Pixl.js Storage: bundle ${s.bundleBytes} B + config ${s.configBytes} B (${JSON.stringify(TYPICAL_CONFIG).length} B typical) + headers = ${s.used} of ${s.storageBytes} B, ` +
        `${s.storageBytes - s.used} B free; an update written beside the old bundle needs ${s.usedDuringUpdate} B (${s.fitsSideBySide ? 'fits' : 'does not fit: erase first'})`,
    );
  }
  const linux = builds.find((b) => b.board === 'linux');
  if (!linux) return;
  const sim = new Simulator({ board: 'linux', bundle: linux.file }).boot();
  await sim.advance(2000);
  const estimate = sim.memory();
  sim.close();
  const real = await realMemoryAfterBoot(linux.file);
  console.log(
    `linux bundle after boot, no config: simulator estimate ${estimate.usage} of ${estimate.total} variables; ` +
      (real ? `real interpreter (2v29, 32-bit, 2950 vars) ${real.usage} of ${real.total} (${Math.round((100 * real.usage) / real.total)}%)` : 'real interpreter not found'),
  );
}
