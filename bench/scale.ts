// A whole site on one machine: `deskphone up` (a child process, nothing else
// in it) with 1,000 / 2,000 / 5,000 registered desks (DESKPHONE_BENCH_SCALE,
// e.g. "1000,2000"), against Debian's mosquitto carrying the same fan-out in
// the same run. The desks are lightweight MQTT clients in a load-generator
// process of their own (bench/lib/desk-fleet.ts), speaking the firmware's
// protocol; call events go to up's webhook at 50/s and the desks ask 20
// lookups/s. For mosquitto a stand-in host publishes the same snapshots and
// answers the same lookups. Prints per size: first connect of all desks,
// event -> snapshot at the desk, lookup round trip, the host's CPU and RSS,
// idle CPU, and a broker restart until every desk is back; then each goal of
// issue 18 as a ratio. Benchmarks measure; they never fail on a number.
// DESKPHONE_BENCH_HOST_NODE_ARGS go to the host's node only, e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its time goes.
import { formatTable } from '../provisioner/text.ts';
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openRegistry } from '../provisioner/registry/index.ts';
import { wallMs, type FleetReport } from './lib/desk-fleet.ts';
import { percentile } from './lib/stats.ts';

const SIZES = (process.env.DESKPHONE_BENCH_SCALE ?? '1000,2000,5000').split(',').map(Number);
const EVENTS_PER_S = 50;
const LOOKUPS_PER_S = 20;
const WARM_S = 5;
const LOAD_S = Number(process.env.DESKPHONE_BENCH_SECONDS ?? 20);
const IDLE_S = 10;
/** How long the first connect and a restart may take before the bench reports who is missing. */
const CONNECT_LIMIT_MS = Number(process.env.DESKPHONE_BENCH_CONNECT_LIMIT_S ?? 300) * 1000;
const RESTART_LIMIT_MS = 120_000;
/** /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

const repo = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Share of one core `pid` used over `seconds` (percent). */
async function cpuOver(pid: number, seconds: number): Promise<number> {
  const t0 = cpuTicks(pid);
  await sleep(seconds * 1000);
  return ((cpuTicks(pid) - t0) / TICKS_PER_S / seconds) * 100;
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

async function waitForPort(port: number): Promise<void> {
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(true)).on('error', () => resolve(false));
      s.once('connect', () => s.destroy());
    });
    if (up) return;
    await sleep(50);
  }
}

interface Process {
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `deskphone up` on fixed ports (a restart must come back where the desks look), ready once it printed its JSON line. */
async function startHost(home: string, mqttPort: number, eventsPort: number, tokenFile: string): Promise<Process> {
  const child = spawn(
    process.execPath,
    [...(process.env.DESKPHONE_BENCH_HOST_NODE_ARGS?.split(' ').filter(Boolean) ?? []), 'bin/deskphone.js', 'up', '--listen', `127.0.0.1:${mqttPort}`, '--http', '127.0.0.1:0', '--events-port', String(eventsPort), '--events-token-file', tokenFile, '--json'],
    { cwd: repo, env: { ...process.env, DESKPHONE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`deskphone up exited with ${code}: ${err}`)));
  });
  return { pid: child.pid!, child, stop: () => stopChild(child) };
}

async function startMosquitto(dir: string, port: number, secrets: [string, string][]): Promise<{ start(): Promise<Process> }> {
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, secrets.map(([user, pass]) => `${user}:${pass}`).join('\n') + '\n');
  execFileSync('mosquitto_passwd', ['-U', passwd]);
  const acl = join(dir, 'acl');
  writeFileSync(acl, ['pattern read dp/v1/host/presence', 'pattern read dp/v1/st/%u/dn/#', 'pattern write dp/v1/st/%u/up/+', '', 'user svc-host', 'topic readwrite dp/v1/#', ''].join('\n'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${passwd}`, `acl_file ${acl}`,
    'persistence true', `persistence_location ${dir}/`, 'log_type error', 'max_queued_messages 1000',
    // as the embedded broker: small QoS 1 packets would otherwise wait out Nagle's delay
    'set_tcp_nodelay true',
    process.getuid?.() === 0 ? 'user root' : '', '',
  ].join('\n'));
  return {
    async start() {
      const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
      await waitForPort(port);
      return { pid: child.pid!, child, stop: () => stopChild(child) };
    },
  };
}

/** The load generator process and a request/answer call over its IPC channel. */
async function startFleet(): Promise<{ ask<T = FleetReport>(msg: object): Promise<T>; stop(): Promise<void>; pid: number }> {
  const child = fork(fileURLToPath(new URL('./lib/desk-fleet.ts', import.meta.url)), [], {
    env: { ...process.env, DESKPHONE_BENCH_ROLE: 'fleet' },
    execArgv: ['--import', 'tsx', '--max-old-space-size=2048'],
  });
  const ask = <T>(msg: object) =>
    new Promise<T>((resolve, reject) => {
      const died = (code: number | null, signal: string | null) => reject(new Error(`the desk fleet exited (${signal ?? code})`));
      child.once('exit', died);
      child.once('message', (answer: { error?: string }) => {
        child.off('exit', died);
        if (answer.error) reject(new Error(answer.error));
        else resolve(answer as T);
      });
      child.send(msg);
    });
  await new Promise((resolve) => child.once('message', resolve));
  return {
    pid: child.pid!,
    ask,
    stop: async () => {
      if (child.exitCode === null) await ask({ cmd: 'stop' }).catch(() => {});
      await stopChild(child);
    },
  };
}

interface Measured {
  connectS: number;
  connectReady: number;
  connackTimeouts: number;
  snapP50: number;
  snapP99: number;
  lookupP50: number;
  lookupP99: number;
  delivered: string;
  cpuLoad: number;
  rssMb: number;
  idleNoneCpu: number;
  idleConnectedCpu: number;
  restartS: number;
  restartReady: number;
}

function fromReport(m: Partial<Measured>, r: FleetReport): void {
  const snaps = r.snapshotLatencyMs.sort((a, b) => a - b);
  const looks = r.lookupLatencyMs.sort((a, b) => a - b);
  m.snapP50 = percentile(snaps, 50);
  m.snapP99 = percentile(snaps, 99);
  m.lookupP50 = percentile(looks, 50);
  m.lookupP99 = percentile(looks, 99);
  m.delivered = `${snaps.length}/${r.events + r.eventErrors}, ${looks.length}/${r.lookups}`;
}

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/**
 * One broker's run: idle with the desks registered, the first connect of all
 * desks, the load, idle again with all connected, and a restart until every
 * desk is back. `afterConnect` readies the load (sign-ins); `restart` stops
 * the broker and starts it again.
 */
async function scenario(
  fleet: Fleet,
  proc: Process,
  connect: object,
  load: object,
  afterConnect: () => Promise<void>,
  restart: () => Promise<Process>,
): Promise<Measured> {
  const m: Partial<Measured> = {};
  m.idleNoneCpu = await cpuOver(proc.pid, IDLE_S);
  const first = await fleet.ask({ ...connect, limitMs: CONNECT_LIMIT_MS });
  m.connectS = first.allReadyMs / 1000;
  m.connectReady = first.ready;
  m.connackTimeouts = first.connackTimeouts;
  await afterConnect();
  const t0 = cpuTicks(proc.pid);
  const w0 = wallMs();
  fromReport(m, await fleet.ask({ ...load, eventsPerS: EVENTS_PER_S, lookupsPerS: LOOKUPS_PER_S, warmS: WARM_S, seconds: LOAD_S }));
  m.cpuLoad = ((cpuTicks(proc.pid) - t0) / TICKS_PER_S / ((wallMs() - w0) / 1000)) * 100;
  m.rssMb = rssKb(proc.pid) / 1024;
  m.idleConnectedCpu = await cpuOver(proc.pid, IDLE_S);
  const since = wallMs();
  await restart();
  const back = await fleet.ask({ cmd: 'restarted', since, limitMs: RESTART_LIMIT_MS });
  m.restartS = back.allReadyMs / 1000;
  m.restartReady = back.ready;
  return m as Measured;
}

async function measureMosquitto(home: string, secrets: [string, string][], host: { username: string; password: string }): Promise<Measured> {
  const dir = mkdtempSync(join(home, 'mosquitto-'));
  const port = await freePort();
  const broker = await startMosquitto(dir, port, [...secrets, [host.username, host.password]]);
  let proc = await broker.start();
  const fleet = await startFleet();
  try {
    const target = { host: '127.0.0.1', port };
    // What the host's start leaves on the broker: every desk's retained snapshot.
    await fleet.ask({ cmd: 'reference-retained', target, ids: secrets.map(([id]) => id), reference: host });
    return await scenario(fleet, proc, { cmd: 'connect', target, credentials: secrets }, { cmd: 'load', reference: host }, async () => {}, async () => {
      await proc.stop();
      return (proc = await broker.start());
    });
  } finally {
    await fleet.stop();
    await proc.stop();
  }
}

async function measureDeskphone(home: string, secrets: [string, string][]): Promise<Measured> {
  const mqttPort = await freePort();
  const eventsPort = await freePort();
  const token = 'bench-events-token';
  const tokenFile = join(home, 'events.token');
  writeFileSync(tokenFile, token + '\n');
  let host = await startHost(home, mqttPort, eventsPort, tokenFile);
  const events = { url: `http://127.0.0.1:${eventsPort}/events`, token };
  const fleet = await startFleet();
  try {
    await sleep(2000);
    const signIn = async () => {
      const { failed } = await fleet.ask<{ failed: number }>({ cmd: 'signIn', events });
      if (failed) console.log(`  (${failed} sign-ins refused)`);
    };
    return await scenario(fleet, host, { cmd: 'connect', target: { host: '127.0.0.1', port: mqttPort }, credentials: secrets }, { cmd: 'load', events }, signIn, async () => {
      await host.stop();
      return (host = await startHost(home, mqttPort, eventsPort, tokenFile));
    });
  } finally {
    await fleet.stop();
    await host.stop();
  }
}

/** The host with no station at all: the floor per-desk memory is counted from. */
async function emptyHost(): Promise<{ rssMb: number; cpu: number }> {
  const home = mkdtempSync(join(tmpdir(), 'dp-bench-scale-empty-'));
  try {
    const tokenFile = join(home, 'events.token');
    writeFileSync(tokenFile, 'x\n');
    const host = await startHost(home, await freePort(), await freePort(), tokenFile);
    try {
      await sleep(2000);
      const cpu = await cpuOver(host.pid, IDLE_S / 2);
      return { rssMb: rssKb(host.pid) / 1024, cpu };
    } finally {
      await host.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

export async function run(): Promise<void> {
  console.log(`load average at start: ${load()} (2 cores shared; compare ratios taken in the same run)`);
  const empty = await emptyHost();
  console.log(`empty host (no stations): RSS ${empty.rssMb.toFixed(0)} MB, idle CPU ${empty.cpu.toFixed(1)} %`);
  const results: { n: number; dp: Measured; mq: Measured; registerS: number }[] = [];
  for (const n of SIZES) {
    const home = mkdtempSync(join(tmpdir(), 'dp-bench-scale-'));
    try {
      const t = wallMs();
      const registry = openRegistry(home);
      const ids = Array.from({ length: n }, (_, i) => ({ id: `desk-${String(i + 1).padStart(4, '0')}`, board: 'linux' }));
      const secrets = (await registry.addStations(ids)).map((s) => [s.id, s.secret] as [string, string]);
      const hostCredentials = await registry.serviceCredentials('svc-host');
      registry.close();
      const registerS = (wallMs() - t) / 1000;
      console.log(`\n${n} desks: registered in ${registerS.toFixed(1)} s; load average ${load()}`);
      const mq = await measureMosquitto(home, secrets, hostCredentials);
      console.log(`  mosquitto measured; load average ${load()}`);
      const dp = await measureDeskphone(home, secrets);
      console.log(`  deskphone up measured; load average ${load()}`);
      results.push({ n, dp, mq, registerS });
      printOne(n, dp, mq, empty.rssMb);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  printGoals(results, empty.rssMb);
  console.log(`load average at the end: ${load()}`);
}

const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');

function printOne(n: number, dp: Measured, mq: Measured, emptyRss: number): void {
  const rows: [string, string, string, string][] = [
    [`first connect of all ${n} (s)`, `${f(dp.connectS)} (${dp.connectReady} ready)`, `${f(mq.connectS)} (${mq.connectReady})`, ratio(dp.connectS, mq.connectS)],
    ['  CONNACK timeouts (20 s)', String(dp.connackTimeouts), String(mq.connackTimeouts), ''],
    ['event -> snapshot at desk p50 (ms)', f(dp.snapP50, 2), f(mq.snapP50, 2), ratio(dp.snapP50, mq.snapP50)],
    ['event -> snapshot at desk p99 (ms)', f(dp.snapP99, 2), f(mq.snapP99, 2), ratio(dp.snapP99, mq.snapP99)],
    ['lookup round trip p50 (ms)', f(dp.lookupP50, 2), f(mq.lookupP50, 2), ratio(dp.lookupP50, mq.lookupP50)],
    ['lookup round trip p99 (ms)', f(dp.lookupP99, 2), f(mq.lookupP99, 2), ratio(dp.lookupP99, mq.lookupP99)],
    ['  delivered (snapshots, lookups)', dp.delivered, mq.delivered, ''],
    ['CPU under load (% of a core)', f(dp.cpuLoad), f(mq.cpuLoad), ratio(dp.cpuLoad, mq.cpuLoad)],
    ['RSS under load (MB)', f(dp.rssMb), f(mq.rssMb), ratio(dp.rssMb, mq.rssMb)],
    ['  KB per desk above the empty host', f(((dp.rssMb - emptyRss) * 1024) / n), f((mq.rssMb * 1024) / n), ''],
    ['idle CPU, none connected (%)', f(dp.idleNoneCpu), f(mq.idleNoneCpu), ''],
    ['idle CPU, all connected (%)', f(dp.idleConnectedCpu), f(mq.idleConnectedCpu), ''],
    ['broker restart: all back (s)', `${f(dp.restartS)} (${dp.restartReady} ready)`, `${f(mq.restartS)} (${mq.restartReady})`, ratio(dp.restartS, mq.restartS)],
  ];
  console.log(formatTable(['metric', 'deskphone up', 'mosquitto', 'ratio'], rows, { right: [1, 2, 3] }));
}

function printGoals(results: { n: number; dp: Measured; mq: Measured }[], emptyRss: number): void {
  const largest = results[results.length - 1];
  if (!largest) return;
  const { n, dp, mq } = largest;
  const perDesk = ((dp.rssMb - emptyRss) * 1024) / n;
  const goals: [string, number, number, string][] = [
    [`event -> snapshot p99 / mosquitto's (${n})`, dp.snapP99 / mq.snapP99, 2, 'x'],
    [`host CPU under load, % of a core (${n})`, dp.cpuLoad, 25, '%'],
    [`host RSS per desk above the empty host, KB (${n})`, perDesk, 40, 'KB'],
    [`first connect / mosquitto's (${n})`, dp.connectS / mq.connectS, 2, 'x'],
    [`CONNACK timeouts on first connect (${n})`, dp.connackTimeouts, 0, ''],
    [`broker restart, all back, s (${n})`, dp.restartS, 60, 's'],
    [`idle host, ${n} registered, none connected, % of a core`, dp.idleNoneCpu, 5, '%'],
    [`idle host, ${n} registered and connected, % of a core`, dp.idleConnectedCpu, 5, '%'],
  ];
  console.log('\ngoals (issue 18), at the largest size:');
  for (const [label, value, limit, unit] of goals) {
    const met = Number.isFinite(value) && value <= limit;
    console.log(`  ${met ? 'met    ' : 'NOT MET'} ${label}: ${f(value, 2)}${unit} (goal <= ${limit}${unit})`);
  }
}
