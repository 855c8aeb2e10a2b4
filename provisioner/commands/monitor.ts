import type { Argv } from 'yargs';
import type { Context } from '../context.ts';
import { brokerCredentials, brokerOptions, type BrokerArgs } from '../service/cli-options.ts';
import { lineOf, renderTable, StationWatch } from '../service/monitor.ts';
import { UserError } from '../errors.ts';
import { defineCommand } from './command.ts';

interface MonitorArgs extends BrokerArgs {
  interval: number;
}

export default defineCommand<MonitorArgs>({
  command: 'monitor',
  describe: 'Live table of all stations from their retained snapshots (phase, topic, time, device online); --json for one dump',
  builder: (y: Argv) => brokerOptions(y).option('interval', { type: 'number', default: 1, describe: 'Seconds between redraws' }),
  handler: async (args, ctx) => {
    const credentials = await brokerCredentials(args, ctx, 'svc-admin');
    const watch = new StationWatch(args.broker, { ...credentials, clientId: `${credentials.username}-monitor-${process.pid}` });
    try {
      await watch.start();
    } catch (err) {
      throw new UserError(`cannot connect to the broker at ${args.broker}: ${(err as Error).message}`, 'check --broker, --user and --password-file, and that the broker runs');
    }
    try {
      if (args.json) {
        await watch.settle();
        const now = Date.now();
        ctx.output.out(JSON.stringify({ hostOnline: watch.hostOnline, stations: watch.list().map((v) => lineOf(v, now)) }, null, 2));
        return;
      }
      if (ctx.output.tty) await liveTable(watch, args.interval, ctx);
      else await changeLog(watch, ctx);
    } finally {
      await watch.stop();
    }
  },
});

/** On a terminal: the whole table redrawn in place. */
async function liveTable(watch: StationWatch, intervalS: number, ctx: Context): Promise<void> {
  const draw = () => {
    const host = watch.hostOnline === null ? 'unknown' : watch.hostOnline ? 'online' : 'OFFLINE';
    const now = Date.now();
    // Home, table, clear to end of screen: no flicker, no scrollback growth.
    ctx.output.out(`\x1b[H${new Date(now).toISOString()}  host ${host}\n\n${renderTable(watch.list().map((v) => lineOf(v, now)))}\n\x1b[J`);
  };
  ctx.output.out('\x1b[2J');
  draw();
  const timer = setInterval(draw, Math.max(0.2, intervalS) * 1000);
  watch.on('change', draw);
  await ctx.stopSignal;
  clearInterval(timer);
  watch.off('change', draw);
}

/** Into a pipe: one line per change, nothing redrawn. */
async function changeLog(watch: StationWatch, ctx: Context): Promise<void> {
  const log = (v: Parameters<typeof lineOf>[0] | null) => {
    if (!v) return;
    const l = lineOf(v, Date.now());
    ctx.output.out(`${new Date().toISOString()} ${l.station} ${l.phase}${l.topic ? ' ' + l.topic : ''}${l.online === false ? ' (device offline)' : ''}`);
  };
  watch.on('change', log);
  await ctx.stopSignal;
  watch.off('change', log);
}
