import type { Argv } from 'yargs';
import type { Context } from '../context.ts';
import { brokerCredentials, brokerOptions, type BrokerArgs } from '../options/broker.ts';
import { lineOf, renderTable, StationWatch, type StationLine, type StationView } from '../service/monitor.ts';
import { UserError } from '../../lib/user-error.ts';
import { printable } from '../text.ts';
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
        const hostNow = watch.hostNow();
        ctx.output.out(JSON.stringify({ hostOnline: watch.hostOnline, stations: watch.list().map((v) => lineOf(v, hostNow)) }, null, 2));
        return;
      }
      if (ctx.output.tty) await liveTable(watch, args.interval, ctx);
      else await changeLog(watch, ctx);
    } finally {
      await watch.stop();
    }
  },
});

/** Counts per phase, e.g. "talking 12, wrap-up 4, available 30". */
function summary(lines: StationLine[]): string {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.phase, (counts.get(l.phase) ?? 0) + 1);
  return [...counts].map(([phase, n]) => `${phase} ${n}`).join(', ');
}

/**
 * On a terminal: the whole table redrawn in place, at most four times a
 * second however many snapshots arrive, and at least once a second so the
 * clocks run.
 */
async function liveTable(watch: StationWatch, intervalS: number, ctx: Context): Promise<void> {
  let dirty = true;
  let drawnAt = 0;
  const draw = () => {
    const now = Date.now();
    if (!dirty && now - drawnAt < intervalS * 1000) return;
    dirty = false;
    drawnAt = now;
    const host = watch.hostOnline === null ? 'unknown' : watch.hostOnline ? 'online' : 'OFFLINE';
    const lines = watch.list().map((v) => lineOf(v, watch.hostNow(now)));
    // Home, table, clear to end of screen: no flicker, no scrollback growth.
    ctx.output.out(`\x1b[H${new Date(now).toISOString()}  host ${host}  ${summary(lines)}\n\n${renderTable(lines)}\n\x1b[J`);
  };
  const markDirty = () => (dirty = true);
  ctx.output.out('\x1b[2J');
  draw();
  const timer = setInterval(draw, 250);
  watch.on('change', markDirty);
  await ctx.stopSignal;
  clearInterval(timer);
  watch.off('change', markDirty);
}

/**
 * Into a pipe: one line when what it says of a station changes. A station's
 * retained snapshot and presence arrive as two messages, and a resync
 * republishes an unchanged phase; neither is news.
 */
async function changeLog(watch: StationWatch, ctx: Context): Promise<void> {
  const said = new Map<string, string>();
  const log = (v: StationView | null) => {
    if (!v) return;
    const l = lineOf(v, watch.hostNow());
    const text = printable(`${l.station} ${l.phase}${l.topic ? ' ' + l.topic : ''}${l.online === false ? ' (device offline)' : ''}`);
    if (said.get(l.station) === text) return;
    said.set(l.station, text);
    ctx.output.out(`${new Date().toISOString()} ${text}`);
  };
  watch.on('change', log);
  await ctx.stopSignal;
  watch.off('change', log);
}
