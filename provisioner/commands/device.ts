import type { Argv } from 'yargs';
import { boardNames, loadBoard } from '../../hardware/board.ts';
import { ESPRUINO_BUILDS } from '../../hardware/espruino.ts';
import { ptyForRepl, type Bridge } from '../../hardware/sim/repl/pty.ts';
import { serveRepl } from '../../hardware/sim/repl/server.ts';
import { SimReplDevice } from '../../hardware/sim/repl/sim-device.ts';
import { Simulator } from '../../hardware/sim/simulator.ts';
import { UserError } from '../../lib/user-error.ts';
import { defineCommand } from './command.ts';

interface DeviceArgs {
  action: 'serve';
  board: string;
  firmware?: string;
  listen: number;
  storage?: string;
  pty: boolean;
  corruptWrites: number;
  unplugAfterBytes?: number;
  json: boolean;
}

/** What a board straight from the factory boots: a blank program, not our firmware. */
const BLANK_BOOT = '// blank';

export const deviceCommand = defineCommand<DeviceArgs>({
  command: 'device <action>',
  describe: 'Run a simulated device whose Espruino console is on a TCP port (and a pty), for `deskphone flash` and the espruino CLI',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['serve'] as const, describe: 'serve: run until Ctrl-C' })
      .option('board', { type: 'string', demandOption: true, choices: boardNames(), describe: 'Board profile the device is' })
      .option('firmware', {
        type: 'string',
        choices: Object.keys(ESPRUINO_BUILDS),
        describe: 'Espruino build the device runs (default: the one its board profile needs; pixljs: a Pixl.js from the shop, without the WIZnet driver)',
      })
      .option('listen', { type: 'number', default: 0, describe: 'TCP port on 127.0.0.1 (0: a free one)' })
      .option('storage', { type: 'string', describe: 'JSON file keeping the device\'s Storage across runs (default: a blank device in memory)' })
      .option('pty', { type: 'boolean', default: false, describe: 'Also present the console as a pseudo-terminal (needs socat)' })
      .option('corrupt-writes', { type: 'number', default: 0, describe: 'Fault: flip a byte in the next N Storage files written (a failing flash)' })
      .option('unplug-after-bytes', { type: 'number', describe: 'Fault: drop each connection after this many bytes (a pulled cable)' })
      .example('$0 device serve --board pixljs-w5100 --listen 2323', 'then: deskphone flash --port tcp://127.0.0.1:2323 --station desk-07')
      .example('$0 device serve --board pixljs-w5100 --firmware pixljs', 'a unit still on the standard firmware: deskphone flash refuses it') as Argv,
  handler: async (args, ctx) => {
    const board = loadBoard(args.board);
    if (args.firmware && ESPRUINO_BUILDS[args.firmware].board !== board.espruinoBoard)
      throw new UserError(
        `Espruino build ${args.firmware} runs on ${ESPRUINO_BUILDS[args.firmware].board} boards, not on the ${board.espruinoBoard} of board ${board.name}`,
        `pass a --firmware for a ${board.espruinoBoard}: ${Object.keys(ESPRUINO_BUILDS).filter((b) => ESPRUINO_BUILDS[b].board === board.espruinoBoard).join(', ')}`,
      );
    let sim: Simulator;
    try {
      sim = new Simulator({ board, firmware: args.firmware, clock: 'real', startTime: Date.now(), storage: args.storage ?? { '.bootcde': BLANK_BOOT } });
    } catch (err) {
      throw new UserError((err as Error).message, 'run `deskphone build` first, or pass --storage with a device that has firmware');
    }
    sim.boot();
    let pty: Bridge | null = null;
    const repl = await serveRepl(new SimReplDevice(sim, { corruptWrites: args.corruptWrites }), { port: args.listen, unplugAfterBytes: args.unplugAfterBytes });
    try {
      if (args.pty) pty = await ptyForRepl(repl.port);
      if (args.json) ctx.output.out(JSON.stringify({ board: args.board, url: repl.url, pty: pty?.address ?? null }));
      else ctx.output.out(`Simulated ${args.board}: console on ${repl.url}${pty ? ` and ${pty.address}` : ''}. Ctrl-C ends.`);
      await ctx.stopSignal;
    } finally {
      await pty?.close();
      await repl.close();
      sim.close();
    }
  },
});
