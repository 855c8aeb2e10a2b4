// `deskphone update` to a site of desks at the default limits
// (--concurrency 20, --rate 200KB): wall time, bytes on the desks' wire (MQTT
// framing and acknowledgements included) per image byte delivered, and the
// update process's CPU and memory (sampled from /proc while it runs in a
// process of its own, as an admin runs it). The image is the linux bundle
// built as the next version. Two kinds of desk, each in its own table:
// - simulator desks running the exact linux bundles in the slot layout
//   `deskphone flash` writes (what a real desk does with each chunk: write it
//   into the other slot, read it back, check, seal, reboot), for a ladder of
//   site sizes (DESKPHONE_BENCH_SIMS, default 20,100,200,300) that stops at
//   the first size the machine does not carry (a desk not updated within 4x
//   the rate's floor and a minute: then the run gets Ctrl-C); their
//   process (the broker, the byte-counting proxy and the desks) is measured
//   too: its CPU, peak RSS and event-loop delay. (On the 2-core machine of
//   issue 16: 200 at the rate's pace, 300 all updated but 4x slower with that
//   process saturated, 400 starved the broker so the update could not log in.)
// - the protocol-level desk double (bench/lib/update-desk-double.ts,
//   DESKPHONE_BENCH_STATIONS, default 200), which answers without a flash or
//   an interpreter: the host's side alone at the 200 desks.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { REPO_ROOT } from '../firmware/build.ts';
import type { Simulator } from '../hardware/sim/simulator.ts';
import { packageVersion } from '../lib/version.ts';
import { ensureFirmware } from '../provisioner/up/firmware.ts';
import { formatTable } from '../provisioner/text.ts';
import { DEFAULT_LIMITS } from '../provisioner/update/limits.ts';
import { decodeMessage } from '../protocol/host-codec.ts';
import { startProxy, type TcpProxy } from '../test/helpers/tcp-proxy.ts';
import { DeskDouble } from './lib/update-desk-double.ts';
import { newerImage, NEXT_VERSION, siteDesk } from '../test/helpers/update-rig.ts';
import { hostClient, randomImage, startUpdateRig, type UpdateRig } from '../test/helpers/update-site.ts';

const SIM_LADDER = (process.env.DESKPHONE_BENCH_SIMS ?? '20,100,200,300').split(',').map(Number);
const DOUBLES = Number(process.env.DESKPHONE_BENCH_STATIONS ?? 200);
const TICKS_PER_S = 100;
const PAGE_KB = 4;
const MiB = 2 ** 20;

/** CPU seconds and resident memory of a process, from /proc (Linux). */
function sample(pid: number): { cpuS: number; rssMiB: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; rss (pages) is field 24
    return { cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S, rssMiB: (Number(fields[21]) * PAGE_KB) / 1024 };
  } catch {
    return null;
  }
}

/** What a site of desks does to the machine while one `deskphone update` runs. */
interface Measured {
  desks: number;
  online: number;
  updated: number;
  exit: number;
  seconds: number;
  wireMB: number;
  wirePerImage: number;
  updateCpuS: number;
  updateRssMiB: number;
  /** This process: the broker, the proxy and the desks. */
  deskCpuS: number;
  deskRssMiB: number;
  lagP99Ms: number;
  bootS: number;
  idlePct: number;
  counts: string;
}

interface Desks {
  /** Powers the desks on; resolves once every birth reached the broker. */
  boot(): Promise<void>;
  close(): Promise<void>;
}

async function births(rig: UpdateRig, ids: string[], version: string): Promise<{ all: Promise<void>; seen: () => number; end(): Promise<void> }> {
  const watch = await hostClient(rig, 'bench-births');
  const born = new Set<string>();
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  watch.on('message', (topic, payload) => {
    const p = payload.length ? decodeMessage('Presence', payload) : null;
    if (p?.online && p.birth?.firmware === version) born.add(topic.split('/')[3]);
    if (born.size === ids.length) done();
  });
  await watch.subscribeAsync('dp/v1/st/+/up/presence', { qos: 1 });
  return { all, seen: () => born.size, end: () => watch.endAsync(true) };
}

async function measure(kind: 'sim' | 'double', count: number, image: Buffer): Promise<Measured> {
  const ids = Array.from({ length: count }, (_, i) => `desk-${String(i + 1).padStart(3, '0')}`);
  const rig = await startUpdateRig(ids);
  const proxy: TcpProxy = await startProxy({ port: Number(new URL(rig.broker.url).port) });
  const file = rig.bundle('linux', image, NEXT_VERSION);
  const online = await births(rig, ids, kind === 'sim' ? packageVersion() : 'bench-1');
  const desks = kind === 'sim' ? simDesks(ids, rig, proxy) : doubles(ids, rig, proxy, image.length);
  try {
    const bootStart = performance.now();
    await desks.boot();
    await online.all;
    const bootS = (performance.now() - bootStart) / 1000;
    // the desks' own cost while nothing happens: timers, keep-alives
    const idleCpu = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 2000));
    const idle = process.cpuUsage(idleCpu);
    const idlePct = ((idle.user + idle.system) / 1e6 / 2) * 100;

    const wireBefore = proxy.bytesDown + proxy.bytesUp;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const deskCpu = process.cpuUsage();
    let deskRss = process.memoryUsage().rss;
    const started = performance.now();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'deskphone.js'), 'update', '--broker', rig.broker.url, '--firmware', file, '--stations', 'all'], {
      env: { ...process.env, DESKPHONE_HOME: rig.home },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    let last = { cpuS: 0, rssMiB: 0 };
    let peakRss = 0;
    const sampler = setInterval(() => {
      const s = child.pid ? sample(child.pid) : null;
      if (s) (last = s), (peakRss = Math.max(peakRss, s.rssMiB));
      deskRss = Math.max(deskRss, process.memoryUsage().rss);
    }, 100);
    // A site the machine only crawls through counts as not carried: Ctrl-C (the run keeps its state) after 4x the rate's floor + 1 min.
    const limitMs = (4 * count * image.length * 1000) / DEFAULT_LIMITS.rateBytesPerS + 60_000;
    const limit = setTimeout(() => child.kill('SIGINT'), limitMs);
    const exit = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
    clearTimeout(limit);
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(deskCpu);
    lag.disable();
    const wire = proxy.bytesDown + proxy.bytesUp - wireBefore;
    const counts = output.split('\n').find((l) => /^(updated|already current|failed|rolled back|offline|stopped) \d/.test(l)) ?? `no result (exit ${exit}; its error above)`;
    const n = Number(/updated (\d+)/.exec(counts)?.[1] ?? 0);
    return {
      desks: count,
      online: online.seen(),
      updated: n,
      exit,
      seconds,
      wireMB: wire / 1e6,
      wirePerImage: wire / (image.length * Math.max(1, n)),
      updateCpuS: last.cpuS,
      updateRssMiB: peakRss,
      deskCpuS: (used.user + used.system) / 1e6,
      deskRssMiB: deskRss / MiB,
      lagP99Ms: lag.percentile(99) / 1e6,
      bootS,
      idlePct,
      counts,
    };
  } finally {
    await online.end();
    await desks.close();
    await proxy.close();
    await rig.close();
  }
}

/** Simulator desks on the exact linux bundles, flashed with this release in slot A, dialling the broker through the proxy. */
function simDesks(ids: string[], rig: UpdateRig, proxy: TcpProxy): Desks {
  const sims: Simulator[] = [];
  return {
    async boot() {
      for (const id of ids) sims.push(siteDesk(rig, id, proxy.port));
    },
    async close() {
      for (const sim of sims) sim.close();
    },
  };
}

function doubles(ids: string[], rig: UpdateRig, proxy: TcpProxy, bytes: number): Desks {
  const desks = ids.map((id) => new DeskDouble({ url: `mqtt://127.0.0.1:${proxy.port}`, id, secret: rig.secrets[id], board: 'linux', version: 'bench-1', image: randomImage(bytes) }));
  return {
    async boot() {
      for (const d of desks) await d.boot();
    },
    close: async () => void (await Promise.all(desks.map((d) => d.close()))),
  };
}

function table(rows: Measured[], desk: boolean): string {
  const head = ['desks', 'online in (s)', 'exit', 'updated', 'time (s)', 'desk wire (MB)', 'wire / image bytes', 'update CPU (s)', 'update CPU (% of a core)', 'update RSS peak (MiB)'];
  const deskHead = ['desks+broker CPU (s)', 'desks+broker RSS peak (MiB)', 'event-loop delay p99 (ms)', 'idle CPU online (% of a core)'];
  return formatTable(
    desk ? [...head, ...deskHead] : head,
    rows.map((m) => {
      const cells = [m.desks, m.bootS.toFixed(1), m.exit, m.updated, m.seconds.toFixed(1), m.wireMB.toFixed(2), m.wirePerImage.toFixed(3), m.updateCpuS.toFixed(1), ((100 * m.updateCpuS) / m.seconds).toFixed(0), m.updateRssMiB.toFixed(0)];
      return (desk ? [...cells, m.deskCpuS.toFixed(1), m.deskRssMiB.toFixed(0), m.lagP99Ms.toFixed(0), m.idlePct.toFixed(0)] : cells).map(String);
    }),
    { right: Array.from({ length: desk ? head.length + deskHead.length : head.length }, (_, i) => i) },
  );
}

export async function run(): Promise<void> {
  await ensureFirmware((line) => console.log(line));
  const dir = mkdtempSync(join(tmpdir(), 'dp-bench-update-'));
  try {
    const { image } = await newerImage('linux', dir, NEXT_VERSION);
    console.log(`image: the linux bundle as ${NEXT_VERSION}, ${image.length} B; default limits (20 at once, 200 KB/s)`);

    const sims: Measured[] = [];
    for (const n of SIM_LADDER) {
      const m = await measure('sim', n, image);
      sims.push(m);
      console.log(`${n} simulator desks: ${m.counts}, exit ${m.exit}, ${m.seconds.toFixed(1)} s, wire/image ${m.wirePerImage.toFixed(2)}, update CPU ${m.updateCpuS.toFixed(1)} s, desks+broker CPU ${m.deskCpuS.toFixed(1)} s, RSS ${m.deskRssMiB.toFixed(0)} MiB, event-loop p99 ${m.lagP99Ms.toFixed(0)} ms`);
      if (m.updated < n) break; // the machine does not carry this many: no larger site
    }
    console.log('\nSimulator desks (exact linux bundles, slot layout; the desks, the broker and the proxy share this process):');
    console.log(table(sims, true));

    const d = await measure('double', DOUBLES, image);
    console.log(`\n${DOUBLES} desk doubles: ${d.counts}`);
    console.log('Protocol-level desk doubles (no flash, no interpreter: the host side alone):');
    console.log(table([d], false));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
