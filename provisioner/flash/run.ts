// `deskphone flash` without the CLI around it: match devices to stations,
// flash them at once (one worker each), wait for each station's birth, and
// keep a state file so a re-run skips what is done and resumes what failed.
//
// Credentials: the registry keeps only a hash of each station's secret, so a
// flash issues the station a new secret (registry.rotateSecret) and writes it
// into the device's config. It does so only once the firmware on the device is
// verified, so a device that fails earlier leaves the station's secret alone.
// The secret goes to the device and nowhere else: not to the output, the log
// or the state file.
import { readFileSync, renameSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadBoard, type BoardProfile } from '../../hardware/board.ts';
import { deviceConfig, deviceConfigProblems, type DeviceConfig } from '../../protocol/device-config.ts';
import { UserError } from '../../lib/user-error.ts';
import { packageVersion } from '../../lib/version.ts';
import type { Registry, Station } from '../registry/index.ts';
import { watchBirths, type Birth, type BirthWatch } from './birth.ts';
import { FlashError, isFlashError } from './errors.ts';
import type { PlannedAddress } from './network-plan.ts';
import { deviceLinkState, firmwareFileName, flashDevice, type FlashJob, type FlashStep } from './procedure.ts';

export const STATE_FILE = 'flash-state.json';
const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const DIST_DIR = join(REPO_ROOT, 'firmware', 'dist');

export interface FlashOptions {
  dataDir: string;
  registry: Registry;
  ports: string[];
  /** The station for a single port. */
  station?: string;
  /** port -> station, from --map. */
  map?: Record<string, string>;
  board?: string;
  /** Where devices connect. */
  broker: { host: string; port: number };
  /** Where this host watches for births; null: do not wait. */
  brokerUrl: string | null;
  wifi?: { ssid: string; psk: string };
  /** Wired desks: static addresses and MACs by station (--network-plan), and the DHCP lease for the others. */
  networkPlan?: Map<string, PlannedAddress>;
  dhcpLease?: number;
  lang: 'de' | 'en';
  configOnly: boolean;
  baud?: number;
  onlineTimeoutMs: number;
  bundleDir?: string;
  progress?: ProgressSink;
}

export interface ProgressSink {
  step(port: string, station: string, step: FlashStep | 'birth', detail?: string): void;
  bytes(port: string, done: number, total: number): void;
}

export type DeviceStatus = 'online' | 'flashed' | 'skipped' | 'failed';

export interface DeviceResult {
  port: string;
  station: string;
  board: string;
  status: DeviceStatus;
  firmware?: string;
  firmwareBytes?: number;
  retries?: number;
  /** Wired desks: the Ethernet MAC the desk uses (the plan's, else the one it derives), for DHCP reservations and the network plan. */
  mac?: string;
  seconds: number;
  error?: { code: string; message: string; fix: string };
}

interface StateEntry {
  station: string;
  status: DeviceStatus;
  firmwareFile: string | null;
  configVersion?: number;
  at: number;
}

/** Which device got which station and how far it got, by port. */
export class FlashState {
  readonly path: string;
  private entries: Record<string, StateEntry>;

  constructor(dataDir: string) {
    this.path = join(dataDir, STATE_FILE);
    this.entries = existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, StateEntry>) : {};
  }

  get(port: string): StateEntry | undefined {
    return this.entries[port];
  }

  stationsTaken(): Set<string> {
    return new Set(Object.values(this.entries).map((e) => e.station));
  }

  set(port: string, entry: StateEntry): void {
    this.entries[port] = entry;
    mkdirSync(join(this.path, '..'), { recursive: true });
    writeFileSync(this.path + '.tmp', JSON.stringify(this.entries, null, 1));
    renameSync(this.path + '.tmp', this.path);
  }
}

/** Reads a --map file: JSON {"port": "station"} or lines "port,station" / "port station". */
export function readMapFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the map file ${path}: ${(err as Error).message}`, 'pass a file of "port,station" lines');
  }
  if (text.trimStart().startsWith('{')) return JSON.parse(text) as Record<string, string>;
  const map: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [port, station] = t.split(/\s*[,;\s]\s*/);
    if (!port || !station) throw new UserError(`map file ${path}: cannot read "${t}"`, 'write one "port,station" per line');
    map[port] = station;
  }
  return map;
}

interface Assignment {
  port: string;
  station: Station;
  board: BoardProfile;
}

/** Gives each port its station: --station, --map, the state file's earlier pick, or the next station not yet flashed. */
export function assignStations(options: FlashOptions, state: FlashState): Assignment[] {
  const { registry } = options;
  if (options.station && options.ports.length !== 1)
    throw new UserError('--station names one station, but several ports were given', 'use --map port=station pairs in a file, or leave --station out to take the next unassigned stations');
  const taken = state.stationsTaken();
  const used = new Set<string>();
  const free = registry
    .listStations()
    .filter((s) => !taken.has(s.id) && s.lastSeen === 0 && (!options.board || !s.board || s.board === options.board));
  return options.ports.map((port) => {
    const wanted = options.station ?? options.map?.[port] ?? state.get(port)?.station;
    let station: Station | null | undefined = wanted ? registry.getStation(wanted) : free.find((s) => !used.has(s.id));
    if (wanted && !station) throw new UserError(`no station "${wanted}" (for ${port})`, 'check the id with `deskphone station list`, or add it with `deskphone station add`');
    if (!station)
      throw new UserError(
        `no unassigned station left for ${port}`,
        'add stations with `deskphone station add`/`import`, or name them with --station / --map',
      );
    if (used.has(station.id)) throw new UserError(`station ${station.id} is given to two ports`, 'give each port its own station');
    used.add(station.id);
    const boardName = options.board ?? station.board;
    if (!boardName) throw new UserError(`station ${station.id} has no board profile`, 'pass --board (e.g. --board pixljs-w5100)');
    return { port, station, board: loadBoard(boardName) };
  });
}

function makeConfig(options: FlashOptions, station: Station, board: BoardProfile, secret: string, version: number): DeviceConfig {
  const config = deviceConfig({ v: version, id: station.id, board: board.name, host: options.broker.host, port: options.broker.port, pass: secret, lang: options.lang });
  const planned = options.networkPlan?.get(station.id);
  if (board.network.kind === 'wifi') {
    if (!options.wifi) throw new UserError(`${board.name} connects by WiFi, and no network was given`, 'pass --wifi-ssid and the passphrase in DESKPHONE_WIFI_PSK or --secrets-file');
    if (planned) throw new UserError(`the network plan has a row for ${station.id}, a ${board.name} on WiFi`, 'the plan is for wired desks (pixljs-w5100): remove that row');
    config.net = { ssid: options.wifi.ssid, psk: options.wifi.psk };
  }
  if (board.network.kind === 'w5100') {
    const net = { ...planned, ...(options.dhcpLease && !planned?.ip ? { lease: options.dhcpLease } : {}) };
    if (Object.keys(net).length) config.net = net;
  }
  const problems = deviceConfigProblems(config);
  if (problems.length) throw new UserError(`the device config would be unusable: ${problems.join('; ')}`, 'check --broker-address and the station');
  return config;
}

function readBundle(options: FlashOptions, board: BoardProfile, suffix = '.js'): Uint8Array {
  const path = join(options.bundleDir ?? DIST_DIR, board.name + suffix);
  if (!existsSync(path)) throw new UserError(`no firmware bundle for ${board.name} at ${path}`, 'build it with `npm run build`');
  return readFileSync(path);
}

/** The version the build wrote into the bundle (its manifest, firmware/build.ts), else the package's. */
function bundleVersion(options: FlashOptions, board: BoardProfile): string {
  const path = join(options.bundleDir ?? DIST_DIR, board.name + '.json');
  return existsSync(path) ? String(JSON.parse(readFileSync(path, 'utf8')).version) : packageVersion();
}

export async function flashAll(options: FlashOptions): Promise<DeviceResult[]> {
  const state = new FlashState(options.dataDir);
  const assignments = assignStations(options, state);
  const births: BirthWatch | null = options.brokerUrl
    ? await watchBirths(options.brokerUrl, await options.registry.serviceCredentials('svc-admin')).catch((err: Error) => {
        throw new UserError(`cannot watch for births on ${options.brokerUrl}: ${err.message}`, 'start the broker (`deskphone up` or `deskphone broker`), pass --broker-url, or --online-timeout 0 to skip the wait');
      })
    : null;
  try {
    return await Promise.all(assignments.map((a) => flashOne(options, state, a, births)));
  } finally {
    await births?.close();
  }
}

async function flashOne(options: FlashOptions, state: FlashState, a: Assignment, births: BirthWatch | null): Promise<DeviceResult> {
  const started = Date.now();
  const result: DeviceResult = { port: a.port, station: a.station.id, board: a.board.name, status: 'failed', seconds: 0 };
  const firmware = options.configOnly ? undefined : readBundle(options, a.board);
  const firmwareFile = firmware ? firmwareFileName(firmware) : null;
  const previous = state.get(a.port);
  if (previous?.status === 'online' && previous.station === a.station.id && !options.configOnly && previous.firmwareFile === firmwareFile) {
    return { ...result, status: 'skipped', firmware: packageVersion(), seconds: 0 };
  }
  const progress = options.progress;
  // Newer than any config before, so the retained birth of an earlier boot never passes for this one.
  let configVersion = Math.floor(Date.now() / 1000);
  const record = (status: DeviceStatus) => state.set(a.port, { station: a.station.id, status, firmwareFile, configVersion, at: Date.now() });
  // Secrets are 32 characters; the estimate allows more.
  const sample = JSON.stringify(makeConfig(options, a.station, a.board, 'x'.repeat(43), configVersion));
  try {
    record('failed');
    const job: FlashJob = {
      port: a.port,
      board: a.board,
      firmware,
      // Every board boots through the selector (hardware/storage-layout.ts).
      selector: firmware ? readBundle(options, a.board, '.boot.js') : undefined,
      version: firmware ? bundleVersion(options, a.board) : undefined,
      baud: options.baud,
      configSize: sample.length + 8,
      config: async (deviceVersion) => {
        configVersion = Math.max(configVersion, deviceVersion + 1);
        const secret = await options.registry.rotateSecret(a.station.id);
        return Buffer.from(JSON.stringify(makeConfig(options, a.station, a.board, secret, configVersion)), 'utf8');
      },
      onStep: (step, detail) => progress?.step(a.port, a.station.id, step, detail),
      onBytes: (kind, done, total) => {
        if (kind === 'firmware') progress?.bytes(a.port, done, total);
      },
    };
    const outcome = await flashDevice(job);
    result.retries = outcome.retries;
    result.mac = options.networkPlan?.get(a.station.id)?.mac ?? outcome.unitMac;
    result.firmwareBytes = firmware?.length;
    result.status = 'flashed';
    record('flashed');
    if (births) {
      progress?.step(a.port, a.station.id, 'birth', `waiting up to ${Math.round(options.onlineTimeoutMs / 1000)} s`);
      const birth = await births.wait(a.station.id, configVersion, options.onlineTimeoutMs);
      if (!birth) throw await neverOnline(options, a);
      checkBirth(birth, a);
      result.firmware = birth.firmware;
      result.status = 'online';
      record('online');
    }
  } catch (err) {
    result.status = 'failed';
    result.error = isFlashError(err) || err instanceof UserError ? { code: isFlashError(err) ? err.code : 'error', message: err.message, fix: err.fix } : { code: 'error', message: String((err as Error)?.message ?? err), fix: 'run the command again; report it if it repeats' };
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

function checkBirth(birth: Birth, a: Assignment): void {
  if (birth.board && birth.board !== a.board.name)
    throw new FlashError('wrong-board', `station ${a.station.id} came online reporting board ${birth.board}, not ${a.board.name}`, 'flash it again with the matching --board');
}

/** Why no birth came: the device's own account of its link says whether the broker saw it. */
async function neverOnline(options: FlashOptions, a: Assignment): Promise<FlashError> {
  const waited = `${Math.round(options.onlineTimeoutMs / 1000)} s`;
  const broker = `${options.broker.host}:${options.broker.port}`;
  let state;
  try {
    state = await deviceLinkState(a.port, a.board, options.baud);
  } catch {
    return new FlashError('never-online', `flashed and verified, but no birth within ${waited}, and the device's console no longer answers`, `power-cycle the device and watch \`deskphone station list\`; if it stays offline, flash it again`);
  }
  const refused = state.step === 'auth' || state.step === 'refused';
  if (refused)
    return new FlashError(
      'refused-credentials',
      `flashed and verified; the device reached the broker at ${broker}, which refused it (${state.detail || state.step}): the broker does not accept the credentials just written`,
      'make sure the broker uses this data directory\'s registry (same DESKPHONE_HOME), then run `deskphone flash --config-only` for this port to issue a fresh secret',
    );
  if (!state.step && !state.detail)
    return new FlashError('never-online', `flashed and verified, but the firmware is not running (Storage: ${state.files.join(', ') || 'empty'})`, 'flash it again; if it repeats, check the bundle in the simulator (`deskphone sim`)');
  const where = state.step === 'broker' ? `could not reach the broker at ${broker}` : state.step === 'online' ? `says it is online, yet no birth reached ${options.brokerUrl}` : `has no network (${state.step})`;
  return new FlashError(
    'never-online',
    `flashed and verified; the device ${where}${state.detail ? ` (it reports: ${state.detail})` : ''}, so the broker never saw it`,
    state.step === 'broker' || state.step === 'online'
      ? 'check that the broker runs and that --broker-address is reachable from the device\'s network'
      : 'check the network cable or the WiFi name and passphrase (flash again with --config-only to change them)',
  );
}
