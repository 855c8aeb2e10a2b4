// A site whose desks connect to a broker it runs itself (mosquitto with the
// dynamic-security plugin): where it is and the admin account that provisions
// it, kept in the data directory, and the registry's side of provisioning.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../lib/user-error.ts';
import { writePrivateFile } from '../registry/private-file.ts';
import type { IssuedSecret, ServiceName } from '../registry/records.ts';
import { DynamicSecurity, serviceCommands, stationCommands, type ServiceRole } from './dynsec.ts';

const CONFIG_FILE = 'broker.json';
const ADMIN_SECRET = join('secrets', 'broker-admin.secret');

export interface ExternalBroker {
  /** mqtt:// or mqtts:// URL of the site's broker. */
  url: string;
  /** Its dynamic-security admin user; the password is in <data>/secrets/broker-admin.secret. */
  adminUser: string;
}

export function hasExternalBroker(dir: string): boolean {
  return existsSync(join(dir, CONFIG_FILE));
}

export function readExternalBroker(dir: string): ExternalBroker | null {
  if (!hasExternalBroker(dir)) return null;
  try {
    const config = JSON.parse(readFileSync(join(dir, CONFIG_FILE), 'utf8')) as ExternalBroker;
    if (typeof config.url !== 'string' || typeof config.adminUser !== 'string') throw new Error('url or adminUser missing');
    return config;
  } catch (err) {
    throw new UserError(`${join(dir, CONFIG_FILE)} is unreadable: ${(err as Error).message}`, 'run `deskphone broker external <url> …` again');
  }
}

export function writeExternalBroker(dir: string, config: ExternalBroker, adminPassword: string): void {
  writePrivateFile(join(dir, ADMIN_SECRET), adminPassword + '\n');
  writePrivateFile(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

function adminPassword(dir: string): string {
  try {
    return readFileSync(join(dir, ADMIN_SECRET), 'utf8').trim();
  } catch {
    throw new UserError(`the broker admin password (${join(dir, ADMIN_SECRET)}) is missing`, 'run `deskphone broker external <url> …` again');
  }
}

/** What the registry does on the site's broker whenever it issues or drops credentials. */
export class BrokerAccounts {
  private session: Promise<DynamicSecurity> | null = null;

  constructor(
    private readonly dir: string,
    readonly broker: ExternalBroker,
  ) {}

  private dynsec(): Promise<DynamicSecurity> {
    this.session ??= DynamicSecurity.connect(this.broker.url, { username: this.broker.adminUser, password: adminPassword(this.dir) });
    return this.session;
  }

  async addStations(issued: IssuedSecret[]): Promise<void> {
    await (await this.dynsec()).run(issued.flatMap((i) => stationCommands.add(i.id, i.secret)));
  }

  async setSecret(id: string, secret: string): Promise<void> {
    await (await this.dynsec()).run(stationCommands.secret(id, secret));
  }

  async removeStations(ids: string[]): Promise<void> {
    await (await this.dynsec()).run(ids.flatMap(stationCommands.remove));
  }

  async setService(name: ServiceName, role: ServiceRole, secret: string): Promise<void> {
    await (await this.dynsec()).run(serviceCommands(name, role, secret));
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    await session?.then((d) => d.close(), () => {});
  }
}

export function brokerAccounts(dir: string): BrokerAccounts | null {
  const broker = readExternalBroker(dir);
  return broker ? new BrokerAccounts(dir, broker) : null;
}
