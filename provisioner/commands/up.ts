import yargs, { type Argv } from 'yargs';
import { DEFAULTS } from '../../protocol/catalogue.ts';
import { BROKER_DEFAULTS } from '../broker/index.ts';
import { serviceOptions } from '../options/service.ts';
import { outputLogger } from '../logging.ts';
import { DEFAULT_DEMO_STATIONS } from '../demo/site.ts';
import { DEMO_WRAP_UP_S, startUp, type UpArgs, type UpHandle } from '../up/index.ts';
import { amiOptions, amiSourceFrom, type AmiArgs } from '../options/ami.ts';
import { defineCommand } from './command.ts';
import { eventWebhook } from './service.ts';

export const DEFAULT_HTTP = '127.0.0.1:8080';

interface UpCommandArgs extends Omit<UpArgs, 'wrapUp' | 'sources'>, AmiArgs {
  wrapUp?: number;
  eventsPort?: number;
  eventsHost: string;
  eventsTokenFile?: string;
  json: boolean;
}

/** The up options on top of the station service's (--user/--password-file make no sense here: up uses the registry's host account). */
export function upOptions(y: Argv): Argv {
  return amiOptions(serviceOptions(y))
    .option('broker', { type: 'string', default: undefined, describe: "The site's own broker (mqtt:// or mqtts://) instead of the embedded one; see `deskphone external-broker`" })
    .hide('user')
    .hide('password-file')
    .option('wrap-up', { type: 'number', default: undefined, describe: `Wrap-up length in seconds (default ${DEFAULTS.wrapUpS}; ${DEMO_WRAP_UP_S} with --demo)` })
    .option('demo', { type: 'boolean', default: false, describe: 'Also run a demo site: stations, synthetic directory, virtual desk modules, simulated calls' })
    .option('listen', { type: 'string', default: BROKER_DEFAULTS.listen, describe: 'MQTT over TCP for the desk modules, host:port (0.0.0.0:1883 for the LAN)' })
    .option('ws', { type: 'string', describe: 'Also MQTT over WebSocket at host:port' })
    .option('http', { type: 'string', default: DEFAULT_HTTP, describe: 'Web dashboard, host:port (beyond loopback it needs the printed token)' })
    .option('stations', { type: 'number', default: DEFAULT_DEMO_STATIONS, describe: 'With --demo: how many desks to provision and simulate' })
    .option('demo-speed', { type: 'number', default: 5, describe: 'With --demo: simulated seconds per real second for ringing and talking' })
    .option('demo-calls', { type: 'boolean', default: true, hidden: true, describe: 'With --demo: feed simulated calls' })
    .option('demo-agents', { type: 'boolean', default: true, hidden: true, describe: 'With --demo: virtual agents press keys' })
    .option('events-port', { type: 'number', describe: 'Also accept call events on POST /events at this port' })
    .option('events-host', { type: 'string', default: '127.0.0.1', describe: 'Address the event webhook listens on' })
    .option('events-token-file', { type: 'string', describe: 'File with the bearer token the event webhook requires' });
}

/** Full UpArgs from parsed options, with the demo's shorter wrap-up when none was given. */
export function upArgsFrom(args: UpCommandArgs): UpArgs {
  const webhook = eventWebhook(args.eventsPort, args.eventsHost, args.eventsTokenFile);
  return { ...args, wrapUp: args.wrapUp ?? (args.demo ? DEMO_WRAP_UP_S : DEFAULTS.wrapUpS), sources: webhook ? [webhook] : [] };
}

/** UpArgs from command-line words, defaults and all (tests, bench and scripts start `up` in-process with it). */
export function parseUpArgs(argv: string[]): UpArgs {
  return upArgsFrom(upOptions(yargs(argv)).strict().parseSync() as unknown as UpCommandArgs);
}

function describeUp(up: UpHandle, args: UpArgs, ami: string | undefined): string {
  const lines = [
    `deskphone up: ${up.registry.listStations().length} station(s)${args.demo ? `, demo with ${up.desks.size} virtual desk(s)` : ''}; Ctrl-C stops`,
    `  dashboard  ${up.dashboardUrl}`,
    `  mqtt       ${up.brokerUrl}`,
  ];
  if (up.wsUrl) lines.push(`  mqtt/ws    ${up.wsUrl}`);
  for (const source of args.sources ?? []) if ('url' in source) lines.push(`  events     POST ${(source as { url: string }).url}`);
  if (ami) lines.push(`  asterisk   ${ami}`);
  lines.push(`  data       ${up.dataDir}`);
  return lines.join('\n');
}

export default defineCommand<UpCommandArgs>({
  command: 'up',
  describe: 'Run the whole host in one process: broker, station service, directory, web dashboard (--demo: with virtual desks and calls)',
  builder: (y: Argv) =>
    upOptions(y)
      .example('$0 up --demo', 'a demo contact center at http://127.0.0.1:8080/')
      .example('$0 up --listen 0.0.0.0:1883 --http 0.0.0.0:8080', 'production host for the desks on the LAN'),
  handler: async (args, ctx) => {
    const upArgs = upArgsFrom(args);
    const ami = amiSourceFrom(args, outputLogger(ctx.output, 'ami', args.verbose));
    if (ami) upArgs.sources!.push(ami);
    const up = await startUp(upArgs, ctx);
    try {
      ctx.output.out(
        args.json
          ? JSON.stringify({ dashboard: up.dashboardUrl, mqtt: up.brokerUrl, ws: up.wsUrl, data: up.dataDir, stations: up.registry.listStations().length, virtual: [...up.desks.keys()] })
          : describeUp(up, upArgs, args.ami),
      );
      await ctx.stopSignal;
    } finally {
      await up.close();
    }
  },
});
