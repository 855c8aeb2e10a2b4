import { createReadStream, existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Argv } from 'yargs';
import { UserError } from '../../lib/user-error.ts';
import type { Context } from '../context.ts';
import { brokerCredentials } from '../options/broker.ts';
import { readSecret } from '../options/secret-file.ts';
import { listStations, runService, serviceOptions, wrapUpByArea } from '../options/service.ts';
import { outputLogger } from '../logging.ts';
import { StationWatch } from '../service/monitor.ts';
import type { AmiSource } from '../service/sources/ami/source.ts';
import { watchDeskView } from '../service/sources/desk-view.ts';
import type { StationInfo } from '../service/service.ts';
import type { EventSink } from '../service/sources/source.ts';
import { webhookSink, WebhookSinkError } from '../service/sources/webhook-sink.ts';
import { describeLineProblem, JsonLinesSource } from '../service/sources/json-lines.ts';
import { CallSimulator } from '../service/sources/simulator.ts';
import { amiOptions, amiSourceFrom, type AmiArgs } from '../options/ami.ts';
import { defineCommand, type Command } from './command.ts';
import { eventWebhook, type ServiceCommandArgs } from './service.ts';

interface EventsArgs extends ServiceCommandArgs, AmiArgs {
  path: string;
  callsPerMinute: number;
  speed: number;
  ivrShare: number;
  seed?: number;
  port: number;
  tokenFile?: string;
  to?: string;
  toTokenFile?: string;
}

/** The webhook sink of --to, with its faults turned into a UserError naming the options. */
function toSink(args: EventsArgs): EventSink {
  if (!args.toTokenFile) throw new UserError('--to needs the webhook\'s bearer token', 'give --to-token-file <file> (the token on its first line)');
  return webhookSink(args.to!, readSecret(args.toTokenFile, 'event webhook token'));
}

function webhookFault(err: unknown): never {
  if (!(err instanceof WebhookSinkError)) throw err;
  throw new UserError(err.message, 'check --to and --to-token-file, and that the host runs with --events-port');
}

/**
 * Runs `body` with where events go: a running host's webhook with --to, or
 * else a station service started here for the duration.
 */
async function withSink<T>(args: EventsArgs, ctx: Context, body: (sink: EventSink, stations: () => StationInfo[]) => Promise<T>): Promise<T> {
  if (!args.to) return runService(args, ctx, [], (service) => body((raw) => service.ingest(raw), () => service.stations()));
  const sink = toSink(args);
  try {
    return await body(sink, () => listStations(args, ctx));
  } catch (err) {
    webhookFault(err);
  }
}

/**
 * `events ami`: Asterisk's events into a station service run here, or into a
 * running host's webhook (--to); then the desks' phases come from the
 * retained snapshots on that host's broker (service account svc-admin).
 */
async function runAmi(args: EventsArgs, ctx: Context): Promise<void> {
  const source = amiSourceFrom(args, outputLogger(ctx.output, 'ami', args.verbose));
  if (!source) throw new UserError('"events ami" needs --ami host:port', 'e.g. deskphone events ami --ami 10.0.0.5:5038 --ami-user deskphone --ami-secret-file ami.secret --map members.csv');
  const until = async () => {
    ctx.output.out(`taking call events from Asterisk at ${args.ami}; Ctrl-C stops`);
    await ctx.stopSignal;
  };
  if (!args.to) await runService(args, ctx, [source], until);
  else {
    const sink = toSink(args);
    const credentials = await brokerCredentials(args, ctx, 'svc-admin');
    const watch = new StationWatch(args.broker, { ...credentials, clientId: `${credentials.username}-ami-${process.pid}` });
    try {
      await watch.start();
    } catch (err) {
      throw new UserError(`cannot follow the desks on the broker at ${args.broker}: ${(err as Error).message}`, 'with --to, give the host\'s broker with --broker (and --user/--password-file of an admin account)');
    }
    try {
      await watch.settle();
      await source.start(sink, watchDeskView(watch));
      try {
        await until();
      } finally {
        await source.stop();
      }
    } catch (err) {
      webhookFault(err);
    } finally {
      await watch.stop();
    }
  }
  ctx.output.out(amiSummary(source));
}

function amiSummary(source: AmiSource): string {
  const s = source.stats;
  const failedPauses = source.pauses.sent.filter((a) => !a.ok).length;
  return `AMI: ${s.events} events, ${s.applied} call events applied, ${s.rejected} rejected, ${s.unmapped} for unmapped members, ${s.malformed} malformed lines, ${s.logins} logins; QueuePause ${source.pauses.sent.length} sent, ${failedPauses} failed`;
}

/** --to and its token: where simulate, file, stdin and ami send events instead of a service run here. */
function toOptions(y: Argv): Argv {
  return y
    .option('to', { type: 'string', describe: 'Send the events to a running host\'s webhook (e.g. http://127.0.0.1:8090/events) instead of running a service here' })
    .option('to-token-file', { type: 'string', describe: 'With --to: file with that webhook\'s bearer token' });
}

/** `events file` and `events stdin`: JSON lines, each event applied in order; exit 1 if any was rejected. */
async function runJsonLines(args: EventsArgs & { json: boolean }, ctx: Context, name: 'file' | 'stdin', input: Readable): Promise<number> {
  const source = new JsonLinesSource(input, (p) => ctx.output.err(describeLineProblem(p)), name);
  const summary = await withSink(args, ctx, async (sink) => {
    await source.start(sink);
    return source.summary;
  });
  if (args.json) ctx.output.out(JSON.stringify(summary));
  else ctx.output.out(`${summary.applied} events applied, ${summary.rejected} rejected`);
  return summary.rejected > 0 ? 1 : 0;
}

const sub = (command: Command<EventsArgs>) => defineCommand(command) as Command<never>;

export default defineCommand({
  command: 'events',
  describe: 'Feed call events to the station service (run here, or a running host with --to): simulate, file, stdin, http, ami (docs/events.md)',
  builder: serviceOptions,
  subcommands: [
    sub({
      command: 'simulate',
      describe: 'Simulated calls with the hotline\'s menu mix',
      builder: (y) =>
        toOptions(y)
          .option('calls-per-minute', { type: 'number', default: 30, describe: 'Call arrivals per simulated minute' })
          .option('speed', { type: 'number', default: 1, describe: 'Simulated seconds per real second' })
          .option('ivr-share', { type: 'number', default: 0.4, describe: 'Share of callers who key their account into the IVR' })
          .option('seed', { type: 'number', describe: 'Random seed, to replay the same traffic' }),
      handler: async (args, ctx) => {
        if (!(args.callsPerMinute > 0) || !(args.speed > 0)) throw new UserError('--calls-per-minute and --speed must be above 0', 'e.g. --calls-per-minute 30 --speed 10');
        return withSink(args, ctx, async (sink, stationList) => {
          const stations = stationList();
          if (stations.length === 0) throw new UserError('there are no stations to simulate', 'register some (`deskphone station add`) or give --station');
          const sim = new CallSimulator({ stations, callsPerMinute: args.callsPerMinute, speed: args.speed, ivrShare: args.ivrShare, wrapUpSeconds: Math.max(args.wrapUp, ...Object.values(wrapUpByArea(args))), accountDigits: args.accountDigits, seed: args.seed });
          await sim.start(sink);
          ctx.output.out(`simulating ${args.callsPerMinute} calls/min over ${stations.length} stations at speed ${args.speed}; Ctrl-C stops`);
          await ctx.stopSignal;
          await sim.stop();
          const s = sim.stats;
          ctx.output.out(`calls ${s.calls}, events ${s.events}, rejected ${s.rejected}, no free desk ${s.lost}` + (s.failed ? `, failed ${s.failed} (last: ${s.lastFailure})` : ''));
        });
      },
    }),
    sub({
      command: 'file <path>',
      describe: 'Events from a JSON-lines file, applied in order',
      builder: (y) => toOptions(y).positional('path', { type: 'string', describe: 'JSON-lines file' }),
      handler: (args, ctx) => {
        if (!existsSync(args.path)) throw new UserError(`no file ${args.path}`, 'check the path');
        return runJsonLines(args, ctx, 'file', createReadStream(args.path, 'utf8'));
      },
    }),
    sub({
      command: 'stdin',
      describe: 'Events as JSON lines on standard input',
      builder: toOptions,
      handler: (args, ctx) => runJsonLines(args, ctx, 'stdin', process.stdin),
    }),
    sub({
      command: 'http',
      describe: 'A webhook taking events on POST /events with a bearer token',
      builder: (y) =>
        y
          .option('port', { type: 'number', default: 8090, describe: 'Port for POST /events' })
          .option('events-host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
          .option('token-file', { type: 'string', describe: 'File with the bearer token callers must send' }),
      handler: (args, ctx) => {
        const webhook = eventWebhook(args.port, args.eventsHost, args.tokenFile)!;
        return runService(args, ctx, [webhook], async () => {
          ctx.output.out(`accepting call events on POST ${webhook.url}; Ctrl-C stops`);
          await ctx.stopSignal;
        });
      },
    }),
    sub({
      command: 'ami',
      describe: 'Events from Asterisk\'s manager interface (docs/telephony-asterisk.md)',
      builder: (y) => toOptions(amiOptions(y)),
      handler: runAmi,
    }),
  ],
});
