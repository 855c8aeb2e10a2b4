// `deskphone up --demo` with many virtual desks in one process: every desk is
// the real firmware bundle in the simulator (wall clock), connected to the
// embedded broker over TCP, with virtual agents and simulated calls running.
// Measures start-up, the process's CPU and memory while the demo runs, and
// the dashboard's update latency: from an event ingested by the service to
// the server-sent event carrying the changed card.
// DESKPHONE_BENCH_STATIONS (default 200) and DESKPHONE_BENCH_SECONDS (30).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseUpArgs } from '../provisioner/commands/up.ts';
import type { StationCard } from '../provisioner/dashboard/card.ts';
import { startUp } from '../provisioner/up/index.ts';
import { Phase } from '../protocol/host-codec.ts';
import { percentile } from './lib/stats.ts';

const STATIONS = Number(process.env.DESKPHONE_BENCH_STATIONS ?? 200);
const SECONDS = Number(process.env.DESKPHONE_BENCH_SECONDS ?? 30);
/** Desks still offline after this are reported, not waited for. */
const ONLINE_WAIT_S = 120;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follows the dashboard's event stream and calls back with each card it carries. */
async function followEvents(url: string, onCard: (card: StationCard, at: number) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(new URL('/api/events', url), { signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const at = performance.now();
          const data = message.split('\n').find((l) => l.startsWith('data: '));
          if (data) for (const card of JSON.parse(data.slice(6)) as StationCard[]) onCard(card, at);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
}

export async function run(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'deskphone-bench-up-'));
  const quiet = { out: () => {}, err: () => {}, tty: false };
  const t0 = performance.now();
  const up = await startUp(parseUpArgs(['--demo', '--stations', String(STATIONS), '--http', '127.0.0.1:0', '--listen', '127.0.0.1:0']), {
    output: quiet,
    env: { DESKPHONE_HOME: home },
    stopSignal: new Promise(() => {}),
  });
  const abort = new AbortController();
  try {
    const started = performance.now() - t0;
    const onlineCount = () => up.registry.listStations().filter((s) => s.online).length;
    const deadline = performance.now() + ONLINE_WAIT_S * 1000;
    while (onlineCount() < STATIONS && performance.now() < deadline) await sleep(100);
    const online = performance.now() - t0;
    console.log(`${STATIONS} virtual desks: up() returned after ${(started / 1000).toFixed(1)} s (first run: provisioning, secrets), ${onlineCount()} online after ${(online / 1000).toFixed(1)} s`);

    // Latency probe: pause an available desk, wait for its card to say so on the stream, resume it.
    const waiting = new Map<string, { phase: string; since: number; resolve: () => void }>();
    await followEvents(up.dashboardUrl, (card, at) => {
      const w = waiting.get(card.id);
      if (w && card.phase === w.phase) {
        waiting.delete(card.id);
        latencies.push(at - w.since);
        w.resolve();
      }
    }, abort.signal);
    const latencies: number[] = [];
    const probe = async (id: string, event: object, phase: string) => {
      const seen = new Promise<void>((resolve) => waiting.set(id, { phase, since: performance.now(), resolve }));
      up.service.ingest(event);
      await Promise.race([seen, sleep(5000)]);
      waiting.delete(id);
    };

    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    let peakRss = 0;
    const ids = [...up.desks.keys()];
    while (performance.now() - wall0 < SECONDS * 1000) {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const id = ids.find((i) => up.service.state(i)?.phase === Phase.AVAILABLE && Math.random() < 0.2);
      if (id) {
        // Off the push rhythm, or every sample would start right after a push.
        await sleep(Math.random() * 250);
        await probe(id, { type: 'pause', station: id }, 'PAUSED');
        await probe(id, { type: 'resume', station: id }, 'AVAILABLE');
      }
      await sleep(300);
    }
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - wall0;
    const mem = process.memoryUsage();
    const sorted = latencies.sort((a, b) => a - b);
    const calls = up.calls!.stats;
    console.log(`host process over ${(wall / 1000).toFixed(0)} s: CPU ${((100 * (cpu.user + cpu.system)) / 1000 / wall).toFixed(0)}% of one core (user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s)`);
    console.log(`memory: RSS ${(mem.rss / 2 ** 20).toFixed(0)} MiB (peak ${(peakRss / 2 ** 20).toFixed(0)} MiB), heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB, ${(mem.rss / 2 ** 20 / STATIONS).toFixed(2)} MiB RSS per desk`);
    console.log(`simulated calls: ${calls.calls} offered, ${calls.events} events, ${calls.rejected} refused, ${calls.lost} found no free desk`);
    if (sorted.length) {
      console.log(`dashboard update latency (ingest -> SSE card), ${sorted.length} samples: p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms (the server batches pushes every 100 ms)`);
    }
    const errors = [...up.desks.values()].reduce((n, d) => n + d.sim.errors.length, 0);
    if (errors) console.log(`note: ${errors} error(s) inside the simulated firmware`);
  } finally {
    abort.abort();
    await up.close();
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await run();
