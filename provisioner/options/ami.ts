import { MENUS } from '../../protocol/catalogue.ts';
import type { Argv } from 'yargs';
import { parseListen } from '../broker/address.ts';
import { UserError } from '../../lib/user-error.ts';
import { AREA_NAMES } from '../service/calls.ts';
import { readSecret } from './secret-file.ts';
import type { Logger } from '../logging.ts';
import { loadMemberMap } from '../service/sources/ami/member-map.ts';
import { AmiSource } from '../service/sources/ami/source.ts';

/** The Asterisk connector's options, shared by `events ami`, `service` and `up` (docs/telephony-asterisk.md). */
export function amiOptions(y: Argv): Argv {
  return y
    .option('ami', { type: 'string', describe: 'Asterisk Manager Interface, host:port (e.g. 10.0.0.5:5038): take call events from Asterisk and pause its queue members during wrap-up' })
    .option('ami-user', { type: 'string', describe: 'With --ami: the manager.conf user' })
    .option('ami-secret-file', { type: 'string', describe: 'With --ami: file with that user\'s secret (first line)' })
    .option('map', { type: 'string', describe: 'With --ami: CSV member,station[,extension] saying which queue member is which station' })
    .option('ami-menu-var', { type: 'string', default: 'DP_MENU', describe: `With --ami: channel variable holding the IVR menu choice 1-${MENUS.length}` })
    .option('ami-account-var', { type: 'string', default: 'DP_ACCOUNT', describe: 'With --ami: channel variable holding the account number keyed into the IVR' })
    .option('ami-queue-area', { type: 'string', array: true, describe: 'With --ami: a queue whose calls belong to one area, QUEUE=WV or QUEUE=KM' });
}

export interface AmiArgs {
  ami?: string;
  amiUser?: string;
  amiSecretFile?: string;
  map?: string;
  amiMenuVar: string;
  amiAccountVar: string;
  amiQueueArea?: string[];
}

/** The connector the options describe, or null without --ami. */
export function amiSourceFrom(args: AmiArgs, logger: Logger): AmiSource | null {
  if (!args.ami) {
    if (args.amiUser || args.amiSecretFile || args.map) throw new UserError('--ami-user, --ami-secret-file and --map belong to --ami', 'give --ami host:port too, or drop them');
    return null;
  }
  if (!args.amiUser || !args.amiSecretFile || !args.map) throw new UserError('--ami needs --ami-user, --ami-secret-file and --map', 'e.g. --ami 10.0.0.5:5038 --ami-user deskphone --ami-secret-file ami.secret --map members.csv');
  const address = parseListen(args.ami.includes(':') ? args.ami : `${args.ami}:5038`, '--ami');
  const queueAreas: Record<string, string> = {};
  for (const spec of args.amiQueueArea ?? []) {
    const m = /^(.+)=(\w+)$/.exec(spec);
    if (!m || AREA_NAMES[m[2].toUpperCase()] === undefined) throw new UserError(`--ami-queue-area "${spec}" is not QUEUE=AREA`, `e.g. --ami-queue-area stoerung=WV (areas: ${Object.keys(AREA_NAMES).join(', ')})`);
    queueAreas[m[1]] = m[2].toUpperCase();
  }
  for (const [flag, name] of [['--ami-menu-var', args.amiMenuVar], ['--ami-account-var', args.amiAccountVar]]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UserError(`${flag} "${name}" is not a channel variable name`, 'use letters, digits and "_", as in the dialplan');
  }
  return new AmiSource({
    host: address.host,
    port: address.port,
    username: args.amiUser,
    secret: readSecret(args.amiSecretFile, 'AMI secret'),
    members: loadMemberMap(args.map),
    menuVariable: args.amiMenuVar,
    accountVariable: args.amiAccountVar,
    queueAreas,
    logger,
  });
}
