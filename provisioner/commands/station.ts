import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { deviceConfig, deviceConfigProblems, type DeviceConfig } from '../../protocol/device-config.ts';
import { DEVICE_BROKER_ADDRESS, parseListen } from '../broker/address.ts';
import type { Context } from '../context.ts';
import { openDataDir } from '../data-dir.ts';
import { UserError } from '../../lib/user-error.ts';
import { openRegistry, parseAreas, type IssuedSecret, type Registry, type Station } from '../registry/index.ts';
import { PrivateFile } from '../registry/private-file.ts';
import { STATION_CSV_COLUMNS, stationsFromCsv, stationsToCsv } from '../registry/station-csv.ts';
import { writeCsv } from '../csv.ts';
import { writeOutFile } from '../options/out-file.ts';
import { formatTable } from '../text.ts';
import { STATE_TEXT } from '../update/progress.ts';
import { UpdateStore, type HistoryEntry } from '../update/store.ts';
import { defineCommand, type Command } from './command.ts';

export interface StationArgs {
  id: string;
  file: string;
  name?: string;
  areas: string;
  board?: string;
  configOut?: string;
  brokerAddress: string;
  lang: 'de' | 'en';
  out?: string;
  secretsOut?: string;
  json: boolean;
}

const DEFAULT_AREAS = 'WV,KM';

/** What `add` and `rotate-secret` need to write a device config with the new secret. */
function configOptions(y: Argv): Argv {
  return y
    .option('config-out', { type: 'string', describe: 'Write the device config (with the secret, mode 0600) here instead of printing the secret' })
    .option('broker-address', { type: 'string', ...DEVICE_BROKER_ADDRESS, describe: 'Broker host:port the device connects to (in --config-out); it must resolve the name, else give an IP address' })
    .option('lang', { choices: ['de', 'en'] as const, default: 'de' as const, describe: 'Device UI language (in --config-out)' });
}

const stationId = (y: Argv) => y.positional('id', { type: 'string', describe: 'Station id' });

/** A `station` subcommand: the registry is open while it runs. */
function action(command: string, describe: string, builder: (y: Argv) => Argv, run: (args: StationArgs, ctx: Context, registry: Registry) => Promise<void> | void): Command<never> {
  return defineCommand<StationArgs>({
    command,
    describe,
    builder,
    handler: async (args, ctx) => {
      const registry = openRegistry(openDataDir(ctx));
      try {
        await run(args, ctx, registry);
      } finally {
        registry.close();
      }
    },
  }) as Command<never>;
}

export default defineCommand({
  command: 'station',
  describe: 'Manage desk stations and their broker secrets (add, list, show, remove, rotate-secret, export, import)',
  subcommands: [
    action(
      'add <id>',
      'Register a station and issue its secret',
      (y) =>
        configOptions(stationId(y))
          .option('name', { type: 'string', describe: 'Display name of the desk' })
          .option('areas', { type: 'string', default: DEFAULT_AREAS, describe: 'Areas the desk serves, e.g. WV,KM' })
          .option('board', { type: 'string', describe: 'Board profile (hardware/boards/*.json)' })
          .example('$0 station add desk-07 --name "Desk 7" --areas WV --board pixljs-w5100 --config-out desk-07.json', ''),
      async (args, ctx, registry) => {
        let areas;
        try {
          areas = parseAreas(args.areas);
        } catch (err) {
          throw new UserError((err as Error).message, 'give --areas as a list like WV,KM; nothing was added');
        }
        const station = { id: args.id, name: args.name ?? '', areas, board: args.board ?? '' };
        const problem = registry.newStationProblem(station);
        if (problem) throw new UserError(problem, 'correct it and run the command again; nothing was added');
        const config = args.configOut ? configWriter(args, station.board) : null;
        const issued = await withPrivateFile(config?.file, (stage) => registry.addStation(station, config ? ([i]) => stage(config.content(i)) : undefined));
        reportSecret(ctx, args, issued, `Station ${args.id} added (areas ${areas.join(',') || '-'}, board ${station.board || '-'}).`);
      },
    ),
    action('list', 'List the stations: id, name, areas, online since or last seen, firmware, its last network update, board', (y) => y, (args, ctx, registry) => {
      const stations = registry.listStations();
      const updates = new UpdateStore(registry.db).latest();
      if (args.json) return ctx.output.out(JSON.stringify(stations.map((s) => ({ ...s, lastUpdate: updates.get(s.id) ?? null })), null, 2));
      if (stations.length === 0) return ctx.output.out('No stations yet; add one with `deskphone station add <id>`.');
      const rows = stations.map((s) => [s.id, s.name, s.areas.join(','), presenceText(s), s.firmware || '-', updateText(updates.get(s.id)), s.board || '-']);
      ctx.output.out(formatTable(['ID', 'NAME', 'AREAS', 'STATE (UTC)', 'FIRMWARE', 'LAST UPDATE (UTC)', 'BOARD'], rows));
    }),
    action('show <id>', 'Everything the registry knows about one station', stationId, (args, ctx, registry) => {
      const station = existing(registry, args.id);
      const history = new UpdateStore(registry.db).history(station.id, HISTORY_SHOWN);
      if (args.json) return ctx.output.out(JSON.stringify({ ...station, updates: history }, null, 2));
      const fields: [string, string][] = [
        ['id', station.id],
        ['name', station.name || '-'],
        ['areas', station.areas.join(',') || '-'],
        ['board', station.board || '-'],
        ['state (UTC)', presenceText(station)],
        ['firmware', station.firmware || '-'],
        ['reported board', station.reportedBoard || '-'],
        ['address', station.address || '-'],
        ['session', String(station.session)],
        ['added (UTC)', formatTime(station.createdAt)],
        ...history.map((h, i): [string, string] => [i ? '' : 'updates (UTC)', updateText(h) + (h.detail ? ` (${h.detail})` : '')]),
      ];
      ctx.output.out(formatTable(null, fields));
    }),
    action('remove <id>', 'Remove a station; a running broker drops its session', stationId, async (args, ctx, registry) => {
      existing(registry, args.id);
      // off the site's own broker first, so no desk keeps a login the registry no longer knows
      await (await registry.brokerAccounts())?.removeStations([args.id]);
      registry.removeStation(args.id);
      ctx.output.out(args.json ? JSON.stringify({ removed: args.id }) : `Station ${args.id} removed; a running broker drops its session.`);
    }),
    action('rotate-secret <id>', 'Issue a new secret; the old one stops working at once', (y) => configOptions(stationId(y)), async (args, ctx, registry) => {
      const station = existing(registry, args.id);
      const config = args.configOut ? configWriter(args, station.board) : null;
      const secret = await withPrivateFile(config?.file, (stage) => registry.rotateSecret(station.id, config ? (i) => stage(config.content(i)) : undefined));
      reportSecret(ctx, args, { id: station.id, secret }, `New secret for ${station.id}; the old one no longer works and a running broker drops its session.`);
    }),
    action(
      'export',
      `Write the stations as CSV (${STATION_CSV_COLUMNS.join(',')})`,
      (y) => y.option('out', { type: 'string', describe: 'Write the CSV here instead of stdout' }),
      (args, ctx, registry) => {
        const stations = registry.listStations();
        const csv = stationsToCsv(stations);
        if (!args.out) return ctx.output.out(csv);
        writeOutFile(args.out, csv);
        ctx.output.err(`Wrote ${stations.length} stations to ${args.out}.`);
      },
    ),
    action(
      'import <file>',
      'Register the stations of a CSV file, all rows or none',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'CSV file' })
          .option('secrets-out', { type: 'string', describe: 'Write id,secret of the new stations here (mode 0600)' })
          .example('$0 station import desks.csv --secrets-out desk-secrets.csv', '')
          .epilog(
            `import reads CSV whose first line names the columns ${STATION_CSV_COLUMNS.join(',')}: id required; areas like "WV,KM" ` +
              '(in quotes, as it holds a comma; empty: both); board a profile from hardware/boards. All rows or none. export writes the same columns.',
          ),
      async (args, ctx, registry) => {
        const file = args.file;
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (err) {
          throw new UserError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'give the path of a CSV file with the columns id,name,areas,board');
        }
        const stations = stationsFromCsv(text, registry, file);
        const secrets = args.secretsOut ? new PrivateFile(resolve(args.secretsOut)) : undefined;
        const issued = await withPrivateFile(secrets, (stage) =>
          registry.addStations(stations, secrets ? (list) => stage(writeCsv(['id', 'secret'], list.map((i) => [i.id, i.secret]))) : undefined),
        );
        if (args.json) return ctx.output.out(JSON.stringify({ imported: issued.length, secretsOut: args.secretsOut ?? null }));
        ctx.output.out(
          `Imported ${issued.length} stations.` +
            (args.secretsOut
              ? ` Their secrets are in ${args.secretsOut} (mode 0600); hand them to flashing and delete the file.`
              : ' No secrets were written (no --secrets-out); issue them per desk with `deskphone station rotate-secret <id> --config-out <file>`.'),
        );
      },
    ),
  ],
});

function existing(registry: Registry, id: string): Station {
  const station = registry.getStation(id);
  if (!station) throw new UserError(`no station "${id}"`, 'check the id with `deskphone station list`');
  return station;
}

/** Builds the device config for --config-out; checks everything before any secret exists. */
function configWriter(args: StationArgs, board: string): { file: PrivateFile; content: (issued: IssuedSecret) => string } {
  if (!board) throw new UserError('a device config needs the board', 'give --board (see hardware/boards/) or omit --config-out; nothing was written');
  const broker = parseListen(args.brokerAddress, '--broker-address');
  const make = (issued: IssuedSecret): DeviceConfig => deviceConfig({ id: issued.id, board, host: broker.host, port: broker.port, pass: issued.secret, lang: args.lang });
  const problems = deviceConfigProblems(make({ id: args.id, secret: 'checked' }));
  if (problems.length > 0) throw new UserError(`the device config would be unusable: ${problems.join('; ')}`, 'correct --broker-address/--board; nothing was written');
  return { file: new PrivateFile(resolve(args.configOut!)), content: (issued) => JSON.stringify(make(issued)) + '\n' };
}

/**
 * Runs a registry write whose secrets also go to a file: the file is staged
 * inside the transaction and moved into place only after the commit, so a
 * failure leaves neither a station without its file nor a file without its station.
 */
async function withPrivateFile<T>(file: PrivateFile | undefined, write: (stage: (content: string) => void) => Promise<T>): Promise<T> {
  try {
    const result = await write((content) => file!.stage(content));
    file?.commit();
    return result;
  } catch (err) {
    file?.abort();
    throw err;
  }
}

function reportSecret(ctx: Context, args: StationArgs, issued: IssuedSecret, headline: string): void {
  if (args.configOut) {
    const note = `Device config with the secret written to ${args.configOut} (mode 0600); flash it, then delete it.`;
    return ctx.output.out(args.json ? JSON.stringify({ id: issued.id, configOut: args.configOut }) : `${headline}\n${note}`);
  }
  // the one place a secret is printed: it is not stored anywhere in clear
  if (args.json) return ctx.output.out(JSON.stringify({ id: issued.id, secret: issued.secret }));
  ctx.output.out(`${headline}\nSecret (shown only now; MQTT username and client id: ${issued.id}):\n  ${issued.secret}`);
}

function formatTime(ms: number): string {
  return ms ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') : '-';
}

/** Updates `station show` lists, newest first. */
const HISTORY_SHOWN = 10;

/** "2.0.0 updated 2026-12-03 08:10": the image, how it ended (or where it stands), when. */
function updateText(h: HistoryEntry | undefined): string {
  return h ? `${h.version} ${STATE_TEXT[h.state]} ${formatTime(h.updatedMs)}` : '-';
}

/** The last presence change says since when a desk is online, or when it was last seen. */
function presenceText(station: Station): string {
  if (station.online) return `online since ${formatTime(station.lastSeen)}`;
  return station.lastSeen ? `offline, last seen ${formatTime(station.lastSeen)}` : 'offline, never seen';
}
