// A simulated device on a REPL port, and the `espruino` CLI run against it.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadBoard } from '../../hardware/board.ts';
import { serveRepl, type ReplServer, type ReplServerOptions } from '../../hardware/sim/repl/server.ts';
import { SimReplDevice, type SimDeviceFaults } from '../../hardware/sim/repl/sim-device.ts';
import { Simulator, type SimulatorOptions } from '../../hardware/sim/simulator.ts';
import { writeBoardJson } from '../../provisioner/flash/board-json.ts';

export const REPO = join(import.meta.dirname, '..', '..');
/** What a device fresh from the factory boots: not our firmware. */
export const FACTORY_BOOT = 'print("factory firmware")';

export interface ReplFixture {
  sim: Simulator;
  repl: ReplServer;
  close(): Promise<void>;
}

export async function startReplDevice(
  board: string,
  opts: { sim?: Partial<SimulatorOptions>; faults?: SimDeviceFaults; server?: ReplServerOptions } = {},
): Promise<ReplFixture> {
  const sim = new Simulator({ board, storage: { '.bootcde': FACTORY_BOOT }, clock: 'real', ...opts.sim }).boot();
  const repl = await serveRepl(new SimReplDevice(sim, opts.faults), opts.server);
  return {
    sim,
    repl,
    close: async () => {
      await repl.close();
      sim.close();
    },
  };
}

/** Runs the real `espruino` CLI (EspruinoTools 0.1.67) with a local board file, offline. */
export function espruinoCli(board: string, port: string, args: string[], timeoutMs = 30_000): Promise<{ code: number | null; out: string }> {
  const boardJson = writeBoardJson(loadBoard(board));
  const cli = join(REPO, 'node_modules', 'espruino', 'bin', 'espruino-cli.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, '--no-ble', '--board', boardJson, '-p', port, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(dirname(boardJson), { recursive: true, force: true });
      resolve({ code, out });
    });
  });
}
