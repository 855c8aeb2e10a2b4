import type { Argv } from 'yargs';
import { UserError } from '../../lib/user-error.ts';
import { readSecret } from '../options/secret-file.ts';
import { runService, type ServiceArgs, serviceOptions } from '../options/service.ts';
import { outputLogger } from '../logging.ts';
import { HttpSource } from '../service/sources/http.ts';
import { amiOptions, amiSourceFrom, type AmiArgs } from '../options/ami.ts';
import { defineCommand } from './command.ts';

export interface ServiceCommandArgs extends ServiceArgs {
  eventsPort?: number;
  eventsHost: string;
  eventsTokenFile?: string;
}

/** Builds the call-event webhook from --events-port/--events-token-file, or null without a port. */
export function eventWebhook(port: number | undefined, host: string, tokenFile: string | undefined): HttpSource | null {
  if (port === undefined) return null;
  if (!tokenFile) throw new UserError('the event webhook needs a bearer token', 'give --events-token-file <file> (the token on its first line)');
  return new HttpSource({ token: readSecret(tokenFile, 'event webhook token'), host, port });
}

export default defineCommand<ServiceCommandArgs & AmiArgs>({
  command: 'service',
  describe: 'Run the station service against a broker until Ctrl-C (call states, wrap-up clock, lookups, actions)',
  builder: (y: Argv) =>
    amiOptions(serviceOptions(y))
      .option('events-port', { type: 'number', describe: 'Also accept call events on POST /events at this port (0: any free port)' })
      .option('events-host', { type: 'string', default: '127.0.0.1', describe: 'Address the event webhook listens on' })
      .option('events-token-file', { type: 'string', describe: 'File with the bearer token the event webhook requires' }),
  handler: async (args, ctx) => {
    const webhook = eventWebhook(args.eventsPort, args.eventsHost, args.eventsTokenFile);
    const ami = amiSourceFrom(args, outputLogger(ctx.output, 'ami', args.verbose));
    await runService(args, ctx, [webhook, ami].filter((s) => s !== null), async () => {
      ctx.output.out(`station service running on ${args.broker}` + (webhook ? `; call events: POST ${webhook.url}` : '') + (ami ? `; Asterisk: ${args.ami}` : '') + '; Ctrl-C stops it');
      await ctx.stopSignal;
    });
  },
});
