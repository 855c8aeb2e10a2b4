import { readFileSync } from 'node:fs';
import { writeOutFile } from '../options/out-file.ts';
import { createInterface } from 'node:readline';
import { boardNames } from '../../hardware/board.ts';
import { Simulator } from '../../hardware/sim/simulator.ts';
import { deviceConfig, deviceConfigProblems, type DeviceConfig } from '../../protocol/device-config.ts';
import { UserError } from '../../lib/user-error.ts';
import type { Context } from '../context.ts';
import { defineCommand } from './command.ts';

interface SimArgs {
  board: string;
  station?: string;
  config?: string;
  host: string;
  port: number;
  lang: 'de' | 'en';
  png?: string;
  seconds: number;
  storage?: string;
}

function configFrom(args: SimArgs, env: NodeJS.ProcessEnv): DeviceConfig | undefined {
  if (args.config) {
    let config: DeviceConfig;
    try {
      config = JSON.parse(readFileSync(args.config, 'utf8')) as DeviceConfig;
    } catch (err) {
      throw new UserError(`cannot read device config ${args.config}: ${(err as Error).message}`, 'pass the file `deskphone station add --config-out` wrote');
    }
    return args.station ? { ...config, id: args.station } : config;
  }
  if (!args.station) return undefined;
  // The secret comes from the environment so it never shows in a process list.
  return deviceConfig({ id: args.station, board: args.board, host: args.host, port: args.port, pass: env.DESKPHONE_SIM_SECRET ?? '', lang: args.lang });
}

export const simCommand = defineCommand<SimArgs>({
  command: 'sim',
  describe: 'Run a board\'s firmware bundle in the simulator: live screen and key input, or one PNG screenshot',
  builder: (y) =>
    y
      .option('board', { type: 'string', demandOption: true, choices: boardNames(), describe: 'Board profile' })
      .option('station', { type: 'string', describe: 'Station id (config from --host/--port/--lang, secret from $DESKPHONE_SIM_SECRET)' })
      .option('config', { type: 'string', describe: 'Device config file (as `station add --config-out` writes it)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Broker host for --station' })
      .option('port', { type: 'number', default: 1883, describe: 'Broker port for --station' })
      .option('lang', { choices: ['de', 'en'] as const, default: 'de' as const, describe: 'UI language for --station' })
      .option('storage', { type: 'string', describe: 'Keep the simulated Storage in this JSON file across runs' })
      .option('png', { type: 'string', describe: 'Write a screenshot here after --seconds and exit' })
      .option('seconds', { type: 'number', default: 2, describe: 'With --png: how long to run first' })
      .example('$0 sim --board pixljs-w5100 --config desk-07.json', 'type keys (ok, back, 0-9, ready, ...) and Enter')
      .example('$0 sim --board esp32-st7789 --station desk-07 --png desk.png', ''),
  handler: async (args, ctx) => {
    const config = configFrom(args, ctx.env);
    if (config) {
      const problems = deviceConfigProblems(config);
      if (problems.length) ctx.output.err(`note: the config has problems (the firmware should show "not set up"): ${problems.join('; ')}`);
    }
    let sim: Simulator;
    try {
      sim = new Simulator({ board: args.board, clock: 'real', config, storage: args.storage, startTime: Date.now() });
    } catch (err) {
      throw new UserError((err as Error).message, 'run `deskphone build` first');
    }
    try {
      sim.boot();
      if (args.png) {
        await new Promise((r) => setTimeout(r, args.seconds * 1000));
        writeOutFile(args.png, sim.png(4), '--png');
        if (args.json) ctx.output.out(JSON.stringify({ png: args.png, screen: sim.screen(), errors: sim.errors.map((e) => e.message) }));
        else ctx.output.out(`${sim.screen().join('\n')}\n(screenshot: ${args.png})`);
        return sim.errors.length ? 1 : 0;
      }
      await runInteractive(sim, ctx);
    } finally {
      sim.close();
    }
  },
});

async function runInteractive(sim: Simulator, ctx: Context): Promise<void> {
  let shown = '';
  let consoleSeen = 0;
  const show = () => {
    for (; consoleSeen < sim.console.length; consoleSeen++) ctx.output.out('--] ' + sim.console[consoleSeen]);
    let text: string;
    try {
      text = sim.screen().join('\n');
    } catch (err) {
      text = `(no screen: ${(err as Error).message})`;
    }
    if (text !== shown) ctx.output.out(`----- ${new Date().toISOString().slice(11, 19)} -----\n${text}`);
    shown = text;
  };
  ctx.output.out(`Simulating ${sim.board.name}. Type a key (ok, back, up, down, next, 0-9, ready, ticket, letter, fwd) and Enter; Ctrl-C ends.`);
  const ticker = setInterval(show, 250);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const key = line.trim();
    if (key) sim.press(key).then(show, (err: Error) => ctx.output.err(err.message));
  });
  const inputClosed = new Promise<void>((resolve) => lines.once('close', () => resolve()));
  await Promise.race([ctx.stopSignal, inputClosed]);
  clearInterval(ticker);
  lines.close();
}
