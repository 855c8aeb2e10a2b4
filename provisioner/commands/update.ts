import type { Argv } from 'yargs';
import { connectBrokerClient } from '../broker/client.ts';
import type { Context } from '../context.ts';
import { openDataDir } from '../data-dir.ts';
import { brokerCredentials, brokerOptions, type BrokerArgs } from '../options/broker.ts';
import { openRegistry } from '../registry/index.ts';
import { loadImage } from '../update/image.ts';
import { holdUpdateLock } from '../update/lock.ts';
import { parseDuration, parseRate, parseWindow, positiveInt, selectStations, summarizeLeftOut } from '../update/plan.ts';
import { LiveTable, progressLine, progressTable, resultCounts, resultTable, succeeded } from '../update/progress.ts';
import { DEFAULT_LIMITS, type RolloutLimits } from '../update/limits.ts';
import { Rollout } from '../update/rollout.ts';
import { prepareRun } from '../update/run.ts';
import { UpdateStore } from '../update/store.ts';
import { UserError } from '../../lib/user-error.ts';
import { defineCommand } from './command.ts';

interface UpdateArgs extends BrokerArgs {
  firmware: string;
  stations: string;
  area?: string;
  canary: number;
  canaryTime: string;
  window?: string;
  concurrency: number;
  rate: string;
  healthTime: string;
  offlineTimeout: string;
}

/** Exit code of a run cut short with Ctrl-C (128 + SIGINT), as shells report it. */
const INTERRUPTED = 130;

export default defineCommand<UpdateArgs>({
  command: 'update',
  describe: 'Update desks over the network: offer the image, send it in acknowledged chunks, follow each desk to its birth on the new version (resumable)',
  builder: (y: Argv) =>
    brokerOptions(y)
      .option('firmware', { type: 'string', demandOption: true, describe: 'A board name (its bundle in firmware/dist) or a bundle file with its manifest <name>.json beside it' })
      .option('stations', { type: 'string', demandOption: true, describe: 'all, outdated (not on this version), or station ids separated by commas' })
      .option('area', { type: 'string', describe: 'Only stations serving these areas, e.g. WV or WV,KM' })
      .option('canary', { type: 'number', default: DEFAULT_LIMITS.canaries, describe: 'Update this many stations first; the rest only after they came back healthy and stayed so for --canary-time' })
      .option('canary-time', { type: 'string', default: '10m', describe: 'How long the canaries must stay healthy on the new version' })
      .option('window', { type: 'string', describe: 'Start transfers only inside this daily local-time window, e.g. 18:00-07:00 (paused desks update too then)' })
      .option('concurrency', { type: 'number', default: DEFAULT_LIMITS.concurrency, describe: 'Desks receiving at once' })
      .option('rate', { type: 'string', default: '200KB', describe: 'Image bytes per second over all desks (KB = 1000 B, KiB = 1024 B)' })
      .option('health-time', { type: 'string', default: `${DEFAULT_LIMITS.healthS}s`, describe: 'Time the new firmware has to send a healthy birth before the desk falls back' })
      .option('offline-timeout', { type: 'string', default: '30m', describe: 'Report a desk offline after this long without it (the next run resumes it)' })
      .example('$0 update --firmware esp32-st7789 --stations outdated --canary 2', 'two desks first, the rest once those run the new version for 10 minutes')
      .example('$0 update --firmware linux --stations all --area KM --window 18:00-07:00', 'the KM desks, transfers starting only in the evening and at night')
      .example('$0 update --firmware firmware/dist/linux.js --stations wv-01,wv-02', 'two desks, from a bundle file') as Argv,
  handler: async (args, ctx) => {
    const limits = limitsFrom(args);
    const image = loadImage(args.firmware);
    const dir = openDataDir(ctx);
    const registry = openRegistry(dir);
    const release = holdUpdateLock(dir);
    try {
      const selection = selectStations(registry.listStations(), args.stations, args.area, image);
      const credentials = await brokerCredentials(args, ctx, 'svc-admin');
      let client;
      try {
        client = await connectBrokerClient(args.broker, credentials, 'update', { reconnectPeriod: 1000, connectTimeout: 10_000 });
      } catch (err) {
        throw new UserError(`cannot connect to the broker at ${args.broker}: ${(err as Error).message}`, 'check --broker, --user and --password-file, and that the broker runs; nothing was sent');
      }
      const store = new UpdateStore(registry.db);
      try {
        const { run, targets, resumed } = prepareRun(store, image, selection.targets, limits.canaries);
        const say = (line: string) => (args.json ? ctx.output.err(line) : ctx.output.out(line));
        say(
          `${resumed ? 'Resuming' : 'Starting'} update ${run.id}: ${image.board} ${image.version}, ${image.bytes.length} B, CRC-32 ${image.crc32.toString(16).padStart(8, '0')}, SHA-256 ${image.sha256}` +
            `\n${targets.length} stations${limits.canaries ? `, ${targets.filter((t) => t.canary).length} canaries first (*)` : ''}${selection.leftOut.length ? `; left out ${summarizeLeftOut(selection.leftOut)}` : ''}` +
            `; ${limits.concurrency} at once, ${limits.rateBytesPerS} B/s${limits.window ? `, window ${limits.window.text}` : ''}`,
        );
        const rollout = new Rollout({ client, store, run, image, targets, limits });
        const records = () => [...rollout.desks.values()].map((d) => d.rec);
        const size = image.bytes.length;
        const live = ctx.output.tty && !args.json ? new LiveTable((t) => ctx.output.out(t), () => progressTable(records(), size)) : null;
        rollout.on('change', (station: string) => {
          if (live) live.changed();
          else if (!args.json) ctx.output.out(progressLine(rollout.desks.get(station)!.rec, size, Date.now()));
        });
        const redraw = live && setInterval(() => live.draw(), 250);
        await rollout.start();
        void ctx.stopSignal.then(() => rollout.interrupt());
        const end = await rollout.ended;
        if (redraw) clearInterval(redraw);
        live?.draw(Date.now(), true);
        const final = records();
        if (args.json) {
          ctx.output.out(JSON.stringify({ run: run.id, version: image.version, board: image.board, end, stations: final }, null, 2));
        } else {
          ctx.output.out(`\n${resultTable(final, image.version)}\n\n${resultCounts(final)}`);
          if (end.kind === 'stopped') ctx.output.out(`Stopped: ${end.reason}. Fix that image, then update the remaining desks (--stations outdated).`);
          if (end.kind === 'interrupted') ctx.output.out('Interrupted: run the same command again to resume where each desk stands.');
        }
        if (end.kind === 'interrupted') return INTERRUPTED;
        return final.every(succeeded) ? 0 : 1;
      } finally {
        await client.endAsync(true);
      }
    } finally {
      release();
      registry.close();
    }
  },
});

/** Every option checked before anything is read from the registry or sent. */
function limitsFrom(args: UpdateArgs): RolloutLimits {
  const healthMs = parseDuration(args.healthTime, '--health-time');
  return {
    ...DEFAULT_LIMITS,
    canaries: positiveInt(args.canary, '--canary', 0),
    canaryTimeMs: parseDuration(args.canaryTime, '--canary-time'),
    window: args.window ? parseWindow(args.window) : null,
    concurrency: positiveInt(args.concurrency, '--concurrency'),
    rateBytesPerS: parseRate(args.rate),
    healthS: positiveInt(Math.ceil(healthMs / 1000), '--health-time'),
    offlineTimeoutMs: parseDuration(args.offlineTimeout, '--offline-timeout'),
  };
}
