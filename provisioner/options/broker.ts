import type { Argv } from 'yargs';
import { UserError } from '../../lib/user-error.ts';
import type { Context } from '../context.ts';
import { openDataDir } from '../data-dir.ts';
import { openRegistry, type ServiceName } from '../registry/index.ts';
import { readSecret } from './secret-file.ts';

/** Options every command that talks to the broker shares. */
export function brokerOptions(y: Argv): Argv {
  return y
    .option('broker', { type: 'string', default: 'mqtt://127.0.0.1:1883', describe: 'Broker URL (mqtt:// or mqtts://)' })
    .option('user', { type: 'string', describe: 'Broker user name (default: the host service account from the registry)' })
    .option('password-file', { type: 'string', describe: 'File holding the broker password (first line)' });
}

export interface BrokerArgs {
  broker: string;
  user?: string;
  passwordFile?: string;
}

/**
 * Broker credentials: --user with --password-file, or else the named service
 * account from the local registry (what `deskphone up` uses).
 */
export async function brokerCredentials(args: BrokerArgs, ctx: Context, account: ServiceName): Promise<{ username: string; password: string }> {
  if (args.user || args.passwordFile) {
    if (!args.user || !args.passwordFile) throw new UserError('--user and --password-file go together', 'give both, or neither to use the local registry');
    return { username: args.user, password: readSecret(args.passwordFile, 'broker password') };
  }
  const registry = openRegistry(openDataDir(ctx));
  try {
    return await registry.serviceCredentials(account);
  } finally {
    registry.close();
  }
}
