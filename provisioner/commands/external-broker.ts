import type { Argv } from 'yargs';
import { writeExternalBroker } from '../broker/external.ts';
import { openDataDir } from '../data-dir.ts';
import { UserError } from '../../lib/user-error.ts';
import { openRegistry, SERVICE_ACCOUNTS, type ServiceName } from '../registry/index.ts';
import { readSecret } from '../options/secret-file.ts';
import { defineCommand } from './command.ts';

interface ExternalBrokerArgs {
  url: string;
  adminUser: string;
  adminPasswordFile: string;
}

export default defineCommand<ExternalBrokerArgs>({
  command: 'external-broker <url>',
  describe: "Use the site's own mosquitto (dynamic-security plugin) instead of the embedded broker: from now on station add/import/rotate-secret/remove provision it",
  builder: (y: Argv) =>
    y
      .positional('url', { type: 'string', describe: 'mqtt:// or mqtts:// URL of the broker, as the host reaches it' })
      .option('admin-user', { type: 'string', demandOption: true, describe: 'A dynamic-security admin of that broker (mosquitto_ctrl dynsec init …)' })
      .option('admin-password-file', { type: 'string', demandOption: true, describe: 'File holding its password (first line); kept 0600 in the data directory' })
      .example('$0 external-broker mqtts://mqtt.example:8883 --admin-user deskphone-admin --admin-password-file admin.pw', 'then: deskphone up --broker mqtts://mqtt.example:8883') as Argv,
  handler: async (args, ctx) => {
    if (!/^mqtts?:\/\/[^/]+/.test(args.url)) throw new UserError(`"${args.url}" is not an mqtt:// or mqtts:// URL`, 'e.g. mqtt://10.0.0.5:1883');
    const dir = openDataDir(ctx);
    writeExternalBroker(dir, { url: args.url, adminUser: args.adminUser }, readSecret(args.adminPasswordFile, 'broker admin password'));
    const registry = openRegistry(dir);
    try {
      // the host's own accounts get fresh secrets, which the registry now provisions there too
      for (const name of Object.keys(SERVICE_ACCOUNTS) as ServiceName[]) await registry.reissueServiceCredentials(name);
      const stations = registry.listStations().length;
      ctx.output.out(
        args.json
          ? JSON.stringify({ broker: args.url, stations })
          : `deskphone now provisions ${args.url} (host accounts created).` +
              (stations ? ` The ${stations} station(s) registered before need a new secret there: deskphone station rotate-secret <id> (and flash it).` : ''),
      );
    } finally {
      registry.close();
    }
  },
});
