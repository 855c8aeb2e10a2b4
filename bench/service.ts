// Station-service load: 2,000 stations, simulated call traffic at about 50
// call events/s and 20 account lookups/s for BENCH_SECONDS (default 30).
// The service runs in this process; the broker, a subscriber on every
// snapshot and the lookup-sending "devices" run in a child process, so this
// process's CPU time is the host's own. Prints CPU per event and the time from
// an event's snapshot being made (hostTimeMs, set during ingest) to it
// arriving at a subscriber, plus lookup round trips.

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { AccountSource, decodeMessage, encodeMessage } from '../protocol/host-codec.ts';
import { downTopic, upTopic } from '../protocol/topics.ts';
import { openDb } from '../provisioner/db.ts';
import { importAccounts } from '../provisioner/service/account-import.ts';
import { SqliteDirectory } from '../provisioner/service/directory.ts';
import { createStationService } from '../provisioner/service/service.ts';
import { CallSimulator } from '../provisioner/service/sources/simulator.ts';
import { percentile } from './lib/stats.ts';

const STATIONS = Number(process.env.BENCH_STATIONS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const LOOKUPS_PER_S = 20;
const ACCOUNTS = 20_000;
/** Simulated seconds per real second: 4-minute calls last ~12 s, so desks turn over within the run. */
const SPEED = 20;
/** ~3.5 events per call (offer, answer, hang-up, half press ready): 43 sim calls/min at speed 20 ≈ 50 events/s. */
const CALLS_PER_SIM_MINUTE = 43;
const WRAP_UP_S = 20;
/** Until calls end and wrap-ups run out at the steady rate. */
const WARM_UP_S = 20;

const account = (i: number) => String(400_000_000_000 + i);

interface ChildReport {
  snapshots: number;
  snapshotLatency: number[];
  lookups: number;
  lookupLatency: number[];
}

/** Child side: broker, a subscriber on every snapshot, and devices asking for lookups. */
async function brokerSide(): Promise<void> {
  const aedes = await Aedes.createBroker();
  // Nagle off on the test side too, so the numbers show the host and not delayed ACKs.
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    aedes.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const report: ChildReport = { snapshots: 0, snapshotLatency: [], lookups: 0, lookupLatency: [] };
  let measuring = false;
  const sent = new Map<string, number>();
  const watcher = await mqtt.connectAsync(url, { clientId: 'bench-watcher' });
  (watcher.stream as Socket).setNoDelay(true);
  watcher.on('message', (topic, payload) => {
    const now = Date.now();
    if (topic.endsWith('/snap')) {
      const snap = decodeMessage('Snapshot', new Uint8Array(payload));
      if (measuring) {
        report.snapshots++;
        report.snapshotLatency.push(now - snap.hostTimeMs);
      }
    } else {
      const result = decodeMessage('LookupResult', new Uint8Array(payload));
      const at = sent.get(result.corr);
      sent.delete(result.corr);
      if (at !== undefined && measuring) {
        report.lookups++;
        report.lookupLatency.push(now - at);
      }
    }
  });
  await watcher.subscribeAsync([downTopic('+', 'snap'), downTopic('+', 'lookup')], { qos: 1 });
  const devices = await mqtt.connectAsync(url, { clientId: 'bench-devices' });
  (devices.stream as Socket).setNoDelay(true);
  let timer: NodeJS.Timeout | null = null;
  let n = 0;
  process.on('message', (msg: { cmd: string }) => {
    if (msg.cmd === 'measure') {
      measuring = true;
      timer = setInterval(() => {
        const corr = `b${n++}`;
        const station = `st-${Math.floor(Math.random() * STATIONS)}`;
        // Half known accounts, the rest unknown or mistyped.
        const acct = Math.random() < 0.5 ? account(Math.floor(Math.random() * ACCOUNTS)) : Math.random() < 0.5 ? account(ACCOUNTS + n) : '12345';
        sent.set(corr, Date.now());
        devices.publish(upTopic(station, 'lookup'), Buffer.from(encodeMessage('LookupRequest', { corr, account: acct, source: AccountSource.KEYPAD })), { qos: 1 });
      }, 1000 / LOOKUPS_PER_S);
    } else if (msg.cmd === 'report') {
      measuring = false;
      if (timer) clearInterval(timer);
      process.send!(report, async () => {
        await devices.endAsync(true);
        await watcher.endAsync(true);
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        server.close();
        process.exit(0);
      });
    }
  });
  process.send!({ url });
}

export async function run(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, DESKPHONE_BENCH_ROLE: 'broker' }, execArgv: ['--import', 'tsx'] });
  const url = await new Promise<string>((resolve) => child.once('message', (m: { url: string }) => resolve(m.url)));
  const dir = mkdtempSync(join(tmpdir(), 'deskphone-bench-svc-'));
  const db = openDb(dir);
  try {
    const rows = Array.from({ length: ACCOUNTS }, (_, i) => `${account(i)},Kunde ${i},Straße ${i % 300},10${String(i % 1000).padStart(3, '0')} Berlin,${i % 4},${(i % 7) * 1250}`);
    await importAccounts(db, 'account,name,street,place,open_items,open_cents\n' + rows.join('\n'), { digits: 12, check: 'none' }, true);
    const stations = Array.from({ length: STATIONS }, (_, i) => ({ id: `st-${i}`, areas: [] }));
    const service = createStationService({ mqttUrl: url, db, stations: () => stations, wrapUpSeconds: WRAP_UP_S, directory: new SqliteDirectory(db) });
    let events = 0;
    let lookups = 0;
    service.on('lookup', () => lookups++);
    const startedAt = Date.now();
    await service.start();
    const sim = new CallSimulator({ stations, callsPerMinute: CALLS_PER_SIM_MINUTE, speed: SPEED, wrapUpSeconds: WRAP_UP_S, seed: 7 });
    await sim.start((raw) => {
      events++;
      return service.ingest(raw);
    });
    console.log(`start + ${STATIONS} sign-ins: ${Date.now() - startedAt} ms`);
    // Past the sign-in burst and the first calls' ramp-up, so the window sees the steady mix.
    await new Promise((r) => setTimeout(r, WARM_UP_S * 1000));
    child.send({ cmd: 'measure' });
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const events0 = events;
    const lookups0 = lookups;
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const cpu = process.cpuUsage(cpu0);
    loopDelay.disable();
    const wall = performance.now() - t0;
    const callEvents = events - events0;
    const answered = lookups - lookups0;
    // Stop the host while its broker is still up, then collect the child's numbers.
    await sim.stop();
    await service.stop();
    const report = await new Promise<ChildReport>((resolve) => {
      child.once('message', (m: ChildReport) => resolve(m));
      child.send({ cmd: 'report' });
    });
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const snaps = report.snapshotLatency.sort((a, b) => a - b);
    const looks = report.lookupLatency.sort((a, b) => a - b);
    console.log(`stations ${STATIONS}, measured ${(wall / 1000).toFixed(1)} s`);
    console.log(`call events ${callEvents} (${((callEvents * 1000) / wall).toFixed(1)}/s, ${sim.stats.rejected} refused), lookups ${answered} keyed + IVR (${((answered * 1000) / wall).toFixed(1)}/s)`);
    console.log(`host CPU ${cpuMs.toFixed(0)} ms = ${((cpuMs / wall) * 100).toFixed(1)} % of one core; ${((cpuMs * 1000) / Math.max(1, callEvents + answered)).toFixed(0)} µs per event or lookup (all work incl. timers, MQTT, SQLite)`);
    console.log(`host event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
    console.log(`snapshots received ${report.snapshots}: latency hostTime->subscriber p50 ${percentile(snaps, 50)} ms, p99 ${percentile(snaps, 99)} ms, max ${snaps[snaps.length - 1]} ms`);
    console.log(`lookup round trip (device publish -> result) ${report.lookups}: p50 ${percentile(looks, 50)} ms, p99 ${percentile(looks, 99)} ms, max ${looks[looks.length - 1]} ms`);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    if (child.exitCode === null) child.kill();
  }
}

if (process.env.DESKPHONE_BENCH_ROLE === 'broker') await brokerSide();
