// Broker load: 2,000 stations with their own credentials against the
// embedded broker (`deskphone broker`, a child process) and against Debian's
// mosquitto with a password file and an ACL file of the same rules.
// Measures time to connect all, the broker's RSS, and delivery latency of
// QoS 1 snapshots published at 500/s, and prints embedded/mosquitto ratios.

import { formatTable } from '../provisioner/text.ts';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { decodeMessage, encodeMessage } from '../protocol/host-codec.ts';
import { downFilter, downTopic } from '../protocol/topics.ts';
import { openRegistry } from '../provisioner/registry/index.ts';
import { percentile } from './lib/stats.ts';

const STATIONS = 2000;
const RATE_PER_S = 500;
const PUBLISH_SECONDS = 10;
/** Connections opened at once; keeps the listen backlog from overflowing. */
const CONNECT_PARALLEL = 100;

interface Target {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

interface Result {
  connectS: number;
  reconnectS: number;
  rssIdleMb: number;
  rssConnectedMb: number;
  rssAfterMb: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  delivered: number;
  sent: number;
}

const repo = fileURLToPath(new URL('..', import.meta.url));

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb / 1024;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function startEmbedded(home: string): Promise<Target> {
  const child = spawn(process.execPath, ['bin/deskphone.js', 'broker', '--listen', '127.0.0.1:0', '--json', '--log-level', 'warn'], {
    cwd: repo,
    env: { ...process.env, DESKPHONE_HOME: home },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`deskphone broker exited with ${code}`)));
  });
  return { name: 'embedded (aedes)', url: JSON.parse(line).mqtt, pid: child.pid!, stop: () => stopChild(child) };
}

async function startMosquitto(dir: string, secrets: [string, string][]): Promise<Target> {
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, secrets.map(([user, pass]) => `${user}:${pass}`).join('\n') + '\n');
  execFileSync('mosquitto_passwd', ['-U', passwd]);
  const acl = join(dir, 'acl');
  // the same rules as provisioner/broker/acl.ts; patterns apply to every user
  writeFileSync(
    acl,
    ['pattern read dp/v1/host/presence', 'pattern read dp/v1/st/%u/dn/#', 'pattern write dp/v1/st/%u/up/+', '', 'user svc-host', 'topic readwrite dp/v1/#', ''].join('\n'),
  );
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${acl}`,
      'persistence true',
      `persistence_location ${dir}/`,
      'log_type error',
      'max_queued_messages 1000',
      // started as root it would switch to the mosquitto user, who cannot read this private temp dir
      process.getuid?.() === 0 ? 'user root' : '',
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(true)).on('error', () => resolve(false));
      s.once('connect', () => s.destroy());
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name: 'mosquitto', url: `mqtt://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child) };
}

async function connectAll(url: string, secrets: [string, string][]): Promise<MqttClient[]> {
  const clients: MqttClient[] = new Array(secrets.length);
  let next = 0;
  const worker = async () => {
    while (next < secrets.length) {
      const i = next++;
      const [id, password] = secrets[i];
      clients[i] = await mqtt.connectAsync(url, { clientId: id, username: id, password, clean: false, reconnectPeriod: 0, keepalive: 120 }, false);
    }
  };
  await Promise.all(Array.from({ length: CONNECT_PARALLEL }, worker));
  return clients;
}

async function measure(target: Target, secrets: [string, string][], host: { username: string; password: string }): Promise<Result> {
  const rssIdleMb = rssMb(target.pid);
  let t = performance.now();
  let stations = await connectAll(target.url, secrets);
  const connectS = (performance.now() - t) / 1000;
  await Promise.all(stations.map((c, i) => c.subscribeAsync(downFilter(secrets[i][0]), { qos: 1 })));
  await Promise.all(stations.map((c) => c.endAsync()));
  // the second round has a stored session, and on the embedded broker a cached verification
  t = performance.now();
  stations = await connectAll(target.url, secrets);
  const reconnectS = (performance.now() - t) / 1000;
  const rssConnectedMb = rssMb(target.pid);

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let allDelivered: () => void = () => {};
  const done = new Promise<void>((resolve) => (allDelivered = resolve));
  const total = RATE_PER_S * PUBLISH_SECONDS;
  stations.forEach((client, i) => {
    const id = secrets[i][0];
    client.on('message', (_topic, payload) => {
      const key = `${id}/${decodeMessage('Snapshot', payload).seq}`;
      const start = sentAt.get(key);
      if (start === undefined) return;
      latencies.push(performance.now() - start);
      sentAt.delete(key);
      if (latencies.length === total) allDelivered();
    });
  });
  const publisher = await mqtt.connectAsync(target.url, { clientId: 'svc-host-bench', ...host, reconnectPeriod: 0 });
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE_PER_S));
    for (; sent < due; sent++) {
      const id = secrets[sent % secrets.length][0];
      const seq = Math.floor(sent / secrets.length) + 1;
      const payload = Buffer.from(encodeMessage('Snapshot', { station: id, phase: 2, seq, hostTimeMs: Date.now(), areas: [1] }));
      sentAt.set(`${id}/${seq}`, performance.now());
      publisher.publish(downTopic(id, 'snap'), payload, { qos: 1, retain: true });
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.race([done, new Promise((r) => setTimeout(r, 15_000))]);
  const rssAfterMb = rssMb(target.pid);
  await publisher.endAsync();
  await Promise.all(stations.map((c) => c.endAsync(true)));
  latencies.sort((a, b) => a - b);
  return {
    connectS,
    reconnectS,
    rssIdleMb,
    rssConnectedMb,
    rssAfterMb,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
    delivered: latencies.length,
    sent: total,
  };
}

export async function run(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'dp-bench-broker-'));
  try {
    let t = performance.now();
    const registry = openRegistry(home);
    const ids = Array.from({ length: STATIONS }, (_, i) => ({ id: `desk-${String(i + 1).padStart(4, '0')}` }));
    const secrets = (await registry.addStations(ids)).map((i) => [i.id, i.secret] as [string, string]);
    const host = await registry.serviceCredentials('svc-host');
    registry.close();
    console.log(`registry: ${STATIONS} stations with hashed secrets in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const results: Record<string, Result> = {};
    for (const start of [() => startEmbedded(home), () => startMosquitto(mkdtempSync(join(home, 'mosquitto-')), [...secrets, ['svc-host', host.password]])]) {
      const target = await start();
      try {
        t = performance.now();
        results[target.name] = await measure(target, secrets, host);
        console.log(`${target.name}: measured in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      } finally {
        await target.stop();
      }
    }
    print(results['embedded (aedes)'], results.mosquitto);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function print(embedded: Result, mosquitto: Result): void {
  const rows: [string, keyof Result, number][] = [
    ['connect all 2,000 (s)', 'connectS', 2],
    ['reconnect all 2,000 (s)', 'reconnectS', 2],
    ['broker RSS idle (MB)', 'rssIdleMb', 1],
    ['broker RSS, 2,000 connected (MB)', 'rssConnectedMb', 1],
    ['broker RSS after publishing (MB)', 'rssAfterMb', 1],
    [`QoS 1 snapshot latency p50 at ${RATE_PER_S}/s (ms)`, 'p50Ms', 2],
    ['latency p99 (ms)', 'p99Ms', 2],
    ['latency max (ms)', 'maxMs', 2],
    ['delivered', 'delivered', 0],
  ];
  const cells = rows.map(([label, key, digits]) => {
    const a = embedded[key];
    const b = mosquitto[key];
    return [label, a.toFixed(digits), b.toFixed(digits), b ? (a / b).toFixed(2) + 'x' : '-'];
  });
  console.log('\n' + formatTable(['metric', 'embedded', 'mosquitto', 'ratio'], cells, { right: [1, 2, 3] }));
  console.log(`(sent ${embedded.sent} per broker; ratio = embedded / mosquitto, lower is better except "delivered")`);
  console.log('(embedded writes every queued QoS 1 message to LevelDB; mosquitto keeps them in memory and saves on shutdown)');
}
