// Shared set-up for the station-service scenarios: a plain aedes broker on a
// random loopback port, a temp data dir, and MQTT clients that act like a
// device (publish requests, collect what the host sends).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Aedes } from 'aedes';
import { randomBytes } from 'node:crypto';
import { DynamicSecurity, serviceCommands } from '../../provisioner/broker/dynsec.ts';
import { startMosquitto } from './mosquitto.ts';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import { decodeMessage, encodeMessage, Phase } from '../../protocol/host-codec.ts';
import { DOWN, downTopic, UP, upTopic, type DownKind, type UpKind } from '../../protocol/topics.ts';
import { cli } from '../../provisioner/cli.ts';
import { openDb, type Db } from '../../provisioner/db.ts';
import { createStationService, type StationInfo, type StationService, type StationServiceOptions } from '../../provisioner/service/service.ts';

export interface TestBroker {
  /** With the host account's credentials in it where the broker wants a login, so every client of a test has one. */
  url: string;
  /** The host account, on a broker that checks logins. */
  host: { username: string; password: string } | null;
  close(): Promise<void>;
}

/**
 * The broker the station-service scenarios run on: a plain aedes, or with
 * DESKPHONE_TEST_BROKER=mosquitto (the vitest project "mosquitto") Debian's
 * mosquitto with the dynamic-security plugin and the host account as
 * `deskphone external-broker` provisions it, so the same scenarios show the
 * service working against a site's own broker.
 */
export async function startBroker(): Promise<TestBroker> {
  if (process.env.DESKPHONE_TEST_BROKER === 'mosquitto') return startMosquittoBroker();
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    host: null,
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function startMosquittoBroker(): Promise<TestBroker> {
  const admin = { username: 'dynsec-admin', password: randomBytes(12).toString('base64url') };
  const mosquitto = await startMosquitto({ users: {}, dynamicSecurity: { admin: admin.username, password: admin.password } });
  const url = `mqtt://127.0.0.1:${mosquitto.port}`;
  const host = { username: 'svc-host', password: randomBytes(12).toString('base64url') };
  const dynsec = await DynamicSecurity.connect(url, admin);
  try {
    await dynsec.run(serviceCommands(host.username, 'host', host.password));
  } finally {
    await dynsec.close();
  }
  return {
    url: `mqtt://${host.username}:${host.password}@127.0.0.1:${mosquitto.port}`,
    host,
    close: () => mosquitto.stop(),
  };
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'deskphone-svc-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}


/**
 * One station's side of the link: everything the host sends down, decoded and
 * kept in arrival order, and `until` to wait for the next message that fits.
 */
export class FakeDevice {
  readonly received: { kind: DownKind; msg: Record<string, unknown>; retain: boolean; qos: number }[] = [];
  private cursor: Record<string, number> = {};
  private waiters: (() => void)[] = [];

  private constructor(
    readonly station: string,
    private readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload, packet) => {
      const kind = topic.split('/').pop() as DownKind;
      this.received.push({ kind, msg: decodeMessage(DOWN[kind], new Uint8Array(payload)) as Record<string, unknown>, retain: packet.retain, qos: packet.qos });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(url: string, station: string, kinds: DownKind[] = ['snap', 'lookup', 'ack']): Promise<FakeDevice> {
    const client = await mqtt.connectAsync(url, { clientId: `${station}-test-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 0 });
    const device = new FakeDevice(station, client);
    await client.subscribeAsync(kinds.map((k) => downTopic(station, k)), { qos: 1 });
    return device;
  }

  /** Publishes like the firmware: presence retained, everything else not; `as` another station on this same connection. */
  async publish(kind: UpKind, value: object, as = this.station): Promise<void> {
    await this.client.publishAsync(upTopic(as, kind), Buffer.from(encodeMessage(UP[kind], value)), { qos: 1, retain: kind === 'presence' });
  }

  /** Publishes bytes as they are, for what the codec would refuse to encode. */
  async publishRaw(kind: UpKind, bytes: Uint8Array): Promise<void> {
    await this.client.publishAsync(upTopic(this.station, kind), Buffer.from(bytes), { qos: 1 });
  }

  /** The next message of `kind` (after the ones already taken) that satisfies `fits`. */
  async until<T = Record<string, unknown>>(kind: DownKind, fits: (msg: Record<string, unknown>) => boolean = () => true, what = 'a matching message'): Promise<T> {
    for (;;) {
      let i = this.cursor[kind] ?? 0;
      for (; i < this.received.length; i++) {
        const r = this.received[i];
        if (r.kind !== kind) continue;
        if (fits(r.msg)) {
          this.cursor[kind] = i + 1;
          return r.msg as T;
        }
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${this.station}: no ${kind} with ${what}; got ${JSON.stringify(this.received.filter((r) => r.kind === kind).map((r) => r.msg))}`)), 10_000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** `deskphone service` in a child process; resolves with the event webhook URL it prints. */
export function startHostProcess(broker: TestBroker, home: string, tokenFile: string, extra: string[]): Promise<{ child: ChildProcess; events: string }> {
  const login = broker.host ? ['--user', broker.host.username, '--password-file', hostPasswordFile(broker, home)] : [];
  const child = spawn(
    process.execPath,
    ['bin/deskphone.js', 'service', '--broker', broker.url, ...login, '--events-port', '0', '--events-token-file', tokenFile, ...extra],
    { env: { ...process.env, DESKPHONE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /POST (http:\/\/[^\s;]+)/.exec(out);
      if (m) resolve({ child, events: m[1] });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${err}`)));
  });
}

/** The host account's password in a file beside `near`, for `--password-file` (any text where the broker checks no login). */
export function hostPasswordFile(broker: TestBroker, near: string): string {
  const file = join(dirname(near), `${broker.host?.username ?? 'svc-host'}.password`);
  writeFileSync(file, (broker.host?.password ?? 'not-checked-by-this-broker') + '\n', { mode: 0o600 });
  return file;
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** POSTs one call event to a host's webhook; returns status and the JSON answer. */
export async function postEvent(url: string, token: string, event: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(event) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

type ServiceExtras = Omit<Partial<StationServiceOptions>, 'mqttUrl' | 'db' | 'stations'>;

export interface ServiceRigOptions {
  stations: StationInfo[];
  /** Further service options; a function of the db for parts that read it (a directory). */
  service?: ServiceExtras | ((db: Db) => ServiceExtras);
  /** A fake device, connected once the service runs. */
  device?: { station: string; kinds?: DownKind[] };
  /** Runs before anything starts, with the temp dir (e.g. to import accounts through the CLI). */
  prepare?: (dir: string) => Promise<void>;
  /** The service's data dir, below the temp dir; default the temp dir itself. */
  dataDir?: string;
}

/** Takes a signed-out or available station through call `callId` into its wrap-up. */
export function intoWrapUp(service: StationService, station: string, callId: string): void {
  if ((service.state(station)?.phase ?? Phase.SIGNED_OUT) === Phase.SIGNED_OUT) service.ingest({ type: 'sign_in', station, agent: 'agent-' + station });
  service.ingest({ type: 'offered', station, callId, menu: 1 });
  service.ingest({ type: 'answered', station, callId });
  service.ingest({ type: 'hangup', station, callId, by: 'caller' });
}

export interface ServiceRig {
  readonly tmp: { dir: string; remove(): void };
  readonly broker: TestBroker;
  readonly db: Db;
  readonly service: StationService;
  /** Only when the options asked for one. */
  readonly device: FakeDevice;
}

/**
 * An in-process station service on its own broker and data dir, with a fake
 * device if asked: started in beforeAll and torn down in afterAll, dependents
 * first. Call it inside a describe; the parts are there once beforeAll ran.
 */
export function useServiceRig(options: ServiceRigOptions): ServiceRig {
  const rig: { -readonly [K in keyof ServiceRig]?: ServiceRig[K] } = { tmp: tempDir() };
  const tmp = rig.tmp!;
  beforeAll(async () => {
    await options.prepare?.(tmp.dir);
    rig.broker = await startBroker();
    const db = (rig.db = openDb(options.dataDir ? join(tmp.dir, options.dataDir) : tmp.dir));
    const extras = typeof options.service === 'function' ? options.service(db) : options.service;
    rig.service = createStationService({ mqttUrl: rig.broker.url, db, stations: () => options.stations, ...extras });
    await rig.service.start();
    if (options.device) rig.device = await FakeDevice.connect(rig.broker.url, options.device.station, options.device.kinds);
  });
  afterAll(async () => {
    await rig.device?.close();
    await rig.service?.stop();
    rig.db?.close();
    await rig.broker?.close();
    tmp.remove();
  });
  return rig as ServiceRig;
}

export interface DeskRig {
  readonly tmp: { dir: string; remove(): void };
  readonly broker: TestBroker;
  /** Follows the station's snapshots. */
  readonly device: FakeDevice;
  /** Runs `deskphone events file` on these lines against the rig's broker and station. */
  eventsFile(lines: string[]): Promise<{ code: number; out: string; err: string }>;
}

/** A broker, a data dir and a fake device on `station`'s snapshots, for the commands a scenario runs. Call it inside a describe. */
export function useDeskRig(station: string): DeskRig {
  const tmp = tempDir();
  const rig: { -readonly [K in keyof DeskRig]?: DeskRig[K] } = {
    tmp,
    async eventsFile(lines) {
      const file = join(tmp.dir, 'calls.jsonl');
      writeFileSync(file, lines.join('\n') + '\n');
      const password = join(tmp.dir, 'host.password');
      writeFileSync(password, 'not-checked-by-this-broker\n');
      let out = '';
      let err = '';
      const code = await cli(['events', 'file', file, '--broker', rig.broker!.url, '--station', station, '--user', 'svc-host', '--password-file', password], {
        output: { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), tty: false },
        env: { DESKPHONE_HOME: join(tmp.dir, 'home') },
        stopSignal: new Promise(() => {}),
      });
      return { code, out, err };
    },
  };
  beforeAll(async () => {
    rig.broker = await startBroker();
    rig.device = await FakeDevice.connect(rig.broker.url, station, ['snap']);
  });
  afterAll(async () => {
    await rig.device?.close();
    await rig.broker?.close();
    tmp.remove();
  });
  return rig as DeskRig;
}

export interface HostProcessRig extends DeskRig {
  /** Starts `deskphone service` on the rig's broker, data dir and events token; killed at the end if still running. */
  startHost(extra: string[]): Promise<{ child: ChildProcess; events: string }>;
}

/**
 * For scenarios that run `deskphone service` as child processes (to kill one
 * hard): a desk rig and an events token file holding `token`. Call it inside a describe.
 */
export function useHostProcessRig(station: string, token: string): HostProcessRig {
  const desk = useDeskRig(station);
  const tokenFile = join(desk.tmp.dir, 'events.token');
  const home = join(desk.tmp.dir, 'home');
  const children: ChildProcess[] = [];
  beforeAll(() => writeFileSync(tokenFile, token + '\n'));
  // Registered after the desk rig's, so it runs before it: the hosts go before their broker.
  afterAll(async () => {
    for (const c of children) await killHard(c);
  });
  return Object.assign(desk, {
    async startHost(extra: string[]) {
      const host = await startHostProcess(desk.broker, home, tokenFile, extra);
      children.push(host.child);
      return host;
    },
  });
}
