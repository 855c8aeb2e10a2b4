// The station service's options (`service`, `events`, `up`) and the service
// they describe.
import type { Argv } from 'yargs';
import { DEFAULTS } from '../../protocol/catalogue.ts';
import { Area } from '../../protocol/host-codec.ts';
import type { Context } from '../context.ts';
import { openDataDir } from '../data-dir.ts';
import { openDb, type Db } from '../db.ts';
import { UserError } from '../../lib/user-error.ts';
import { packageVersion } from '../../lib/version.ts';
import { serviceDeskView } from '../service/sources/desk-view.ts';
import type { EventSource } from '../service/sources/source.ts';
import { openRegistry, type Registry } from '../registry/index.ts';
import { brokerOptions, brokerCredentials, type BrokerArgs } from './broker.ts';
import { readSecret } from './secret-file.ts';
import { DEFAULT_ACCOUNT_RULE, type AccountRule } from '../service/accounts.ts';
import { AREA_NAMES } from '../service/calls.ts';
import { HttpDirectory, SqliteDirectory, type Directory } from '../service/directory.ts';
import { outputLogger } from '../logging.ts';
import { createStationService, type StationInfo, type StationService, type StationServiceOptions } from '../service/service.ts';

export function serviceOptions(y: Argv): Argv {
  return brokerOptions(y)
    .option('station', { type: 'string', array: true, describe: 'Station id, optionally with areas: wv-01 or wv-01:WV or x-1:WV+KM (default: the registry)' })
    .option('wrap-up', { type: 'number', default: DEFAULTS.wrapUpS, describe: 'Wrap-up length in seconds' })
    .option('wrap-up-area', { type: 'string', array: true, describe: `Wrap-up length for one area's calls, AREA=SECONDS (e.g. KM=240; areas: ${Object.keys(AREA_NAMES).join(', ')}; default: --wrap-up)` })
    .option('ring-timeout', { type: 'number', default: 0, describe: 'Seconds a call may ring before the host takes it back (0: the telephony decides)' })
    .option('account-digits', { type: 'number', default: DEFAULT_ACCOUNT_RULE.digits, describe: 'Length of a contract account number' })
    .option('account-check', { choices: ['none', 'luhn'], default: DEFAULT_ACCOUNT_RULE.check, describe: 'Check-digit rule for account numbers' })
    .option('lookups-per-minute', { type: 'number', default: 10, describe: 'Keyed-in lookups allowed per station and minute' })
    .option('directory', { type: 'string', default: 'sqlite', describe: 'Account directory: "sqlite" (imported CSV) or an URL template with {account}' })
    .option('directory-auth-file', { type: 'string', describe: 'File with the Authorization header value for an HTTP directory' })
    .option('directory-timeout', { type: 'number', default: 2500, describe: 'HTTP directory timeout in ms' })
    .option('ticket-webhook', { type: 'string', describe: 'URL to POST stored tickets, letters and forwards to' })
    .option('ticket-webhook-auth-file', { type: 'string', describe: 'File with the Authorization header value for the ticket webhook' })
    .option('verbose', { type: 'boolean', default: false, describe: 'Log every applied event' });
}

export interface ServiceArgs extends BrokerArgs {
  station?: string[];
  wrapUp: number;
  wrapUpArea?: string[];
  ringTimeout: number;
  accountDigits: number;
  accountCheck: AccountRule['check'];
  lookupsPerMinute: number;
  directory: string;
  directoryAuthFile?: string;
  directoryTimeout: number;
  ticketWebhook?: string;
  ticketWebhookAuthFile?: string;
  verbose: boolean;
}

function areaCodes(text: string, where: string): number[] {
  return text.split('+').map((code) => {
    const area = AREA_NAMES[code.trim().toUpperCase()];
    if (!area) throw new UserError(`unknown area "${code}" in ${where}`, `use ${Object.keys(AREA_NAMES).join(' or ')}, joined with "+"`);
    return area;
  });
}

function stationsFromFlags(specs: string[]): StationInfo[] {
  return specs.map((spec) => {
    const [id, areas] = spec.split(':');
    return { id, areas: areas ? areaCodes(areas, `--station ${spec}`) : [] };
  });
}

function stationsFromRegistry(registry: Registry): StationInfo[] {
  return registry.listStations().map((s) => ({ id: s.id, areas: s.areas.map((a) => Area[a]) }));
}

/**
 * --station values, or else the registry's stations, asked again whenever an
 * unknown id turns up; the registry stays open until `close`.
 */
function stationSource(args: Pick<ServiceArgs, 'station'>, ctx: Context): { list: () => StationInfo[]; close(): void } {
  if (args.station && args.station.length > 0) {
    const list = stationsFromFlags(args.station);
    return { list: () => list, close: () => {} };
  }
  const registry = openRegistry(openDataDir(ctx));
  return { list: () => stationsFromRegistry(registry), close: () => registry.close() };
}

/** --station values, or else the registry's stations as they are now. */
export function listStations(args: Pick<ServiceArgs, 'station'>, ctx: Context): StationInfo[] {
  if (args.station && args.station.length > 0) return stationsFromFlags(args.station);
  const registry = openRegistry(openDataDir(ctx));
  try {
    return stationsFromRegistry(registry);
  } finally {
    registry.close();
  }
}

function directoryFrom(args: ServiceArgs, db: Db): Directory {
  if (args.directory === 'sqlite') return new SqliteDirectory(db);
  if (!/^https?:\/\//.test(args.directory) || !args.directory.includes('{account}')) {
    throw new UserError(`--directory ${args.directory} is neither "sqlite" nor an http(s) URL template with {account}`, 'e.g. --directory "https://crm.example/accounts/{account}"');
  }
  return new HttpDirectory({
    urlTemplate: args.directory,
    timeoutMs: args.directoryTimeout,
    authorization: args.directoryAuthFile ? readSecret(args.directoryAuthFile, 'directory authorization') : undefined,
  });
}

export interface ServiceSetup {
  service: StationService;
  db: Db;
  /** Closes the database and the registry the station list reads; call after service.stop(). */
  close(): void;
}

/** A wrap-up length, as `shown` on the command line. */
function wrapUpSeconds(value: number, shown: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 3600) throw new UserError(`${shown} is out of range`, 'give whole seconds from 1 to 3600');
  return value;
}

/** --wrap-up-area AREA=SECONDS, any number of them: the wrap-up length by area code. */
export function wrapUpByArea(args: Pick<ServiceArgs, 'wrapUpArea'>): Record<number, number> {
  const byArea: Record<number, number> = {};
  for (const spec of args.wrapUpArea ?? []) {
    const m = /^([A-Za-z]+)=(\d+)$/.exec(spec.trim());
    const area = m ? AREA_NAMES[m[1].toUpperCase()] : undefined;
    if (!m || area === undefined) throw new UserError(`--wrap-up-area "${spec}" is not AREA=SECONDS`, `e.g. --wrap-up-area KM=240 (areas: ${Object.keys(AREA_NAMES).join(', ')})`);
    if (byArea[area] !== undefined) throw new UserError(`--wrap-up-area names ${m[1].toUpperCase()} twice`, 'give each area once');
    byArea[area] = wrapUpSeconds(Number(m[2]), `--wrap-up-area ${spec}`);
  }
  return byArea;
}

/** Builds the station service a command runs, from its options; the caller starts and stops it, then calls close(). */
export async function serviceFromArgs(args: ServiceArgs, ctx: Context, version: string): Promise<ServiceSetup> {
  wrapUpSeconds(args.wrapUp, `--wrap-up ${args.wrapUp}`);
  const byArea = wrapUpByArea(args);
  const { accountDigitsMin: min, accountDigitsMax: max } = DEFAULTS;
  if (!Number.isInteger(args.accountDigits) || args.accountDigits < min || args.accountDigits > max) {
    throw new UserError(`--account-digits ${args.accountDigits} is out of range`, `give ${min} to ${max} (a desk shows at most ${max})`);
  }
  const credentials = await brokerCredentials(args, ctx, 'svc-host');
  const db = openDb(openDataDir(ctx));
  const stations = stationSource(args, ctx);
  const close = () => {
    stations.close();
    db.close();
  };
  try {
    const options: StationServiceOptions = {
      mqttUrl: args.broker,
      mqtt: { ...credentials, clientId: credentials.username },
      db,
      stations: stations.list,
      wrapUpSeconds: args.wrapUp,
      wrapUpSecondsByArea: byArea,
      ringTimeoutSeconds: args.ringTimeout,
      directory: directoryFrom(args, db),
      accountRule: { digits: args.accountDigits, check: args.accountCheck },
      lookupsPerMinute: args.lookupsPerMinute,
      ticketWebhook: args.ticketWebhook
        ? { url: args.ticketWebhook, authorization: args.ticketWebhookAuthFile ? readSecret(args.ticketWebhookAuthFile, 'ticket webhook authorization') : undefined }
        : undefined,
      logger: outputLogger(ctx.output, 'service', args.verbose),
      version,
    };
    return { service: createStationService(options), db, close };
  } catch (err) {
    close();
    throw err;
  }
}

/**
 * Runs the station service with the given event sources until `until`
 * resolves (Ctrl-C, or a finite source finishing), then stops everything in
 * reverse order. Returns what `report` returns.
 */
export async function runService<T>(
  args: ServiceArgs,
  ctx: Context,
  sources: EventSource[],
  until: (service: StationService) => Promise<T>,
): Promise<T> {
  const { service, close } = await serviceFromArgs(args, ctx, packageVersion());
  try {
    try {
      await service.start();
    } catch (err) {
      throw new UserError(`cannot connect to the broker at ${args.broker}: ${(err as Error).message}`, 'check --broker, --user and --password-file, and that the broker runs');
    }
    const started: EventSource[] = [];
    try {
      for (const source of sources) {
        await source.start((raw) => service.ingest(raw), serviceDeskView(service));
        started.push(source);
      }
      return await until(service);
    } finally {
      for (const source of started.reverse()) await source.stop();
      await service.stop();
    }
  } finally {
    close();
  }
}
