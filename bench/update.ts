// `deskphone update` to a site of virtual desks at the default limits
// (--concurrency 20, --rate 200KB): wall time, bytes on the desks' wire (MQTT
// framing and acknowledgements included) per image byte delivered, and the
// update process's CPU and memory (sampled from /proc while it runs in a
// process of its own, as an admin runs it). The image is the current linux
// bundle. The desks are the protocol-level double of the tests
// (test/helpers/update-desk-double.ts) until the firmware's update path is on
// main; the broker runs in this process.
// DESKPHONE_BENCH_STATIONS (default 200).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DIR, REPO_ROOT } from '../firmware/build.ts';
import { ensureFirmware } from '../provisioner/up/firmware.ts';
import { formatTable } from '../provisioner/text.ts';
import { startProxy } from '../test/helpers/tcp-proxy.ts';
import { DeskDouble } from '../test/helpers/update-desk-double.ts';
import { randomImage, startUpdateRig } from '../test/helpers/update-site.ts';

const STATIONS = Number(process.env.DESKPHONE_BENCH_STATIONS ?? 200);
const TICKS_PER_S = 100;
const PAGE_KB = 4;

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

export async function run(): Promise<void> {
  await ensureFirmware((line) => console.log(line));
  const ids = Array.from({ length: STATIONS }, (_, i) => `desk-${String(i + 1).padStart(3, '0')}`);
  const rig = await startUpdateRig(ids);
  const proxy = await startProxy({ port: Number(new URL(rig.broker.url).port) });
  const image = Buffer.concat([readFileSync(join(DIST_DIR, 'linux.js')), Buffer.from('\n// bench image\n')]);
  const file = rig.bundle('linux', image, 'bench-2');
  const desks = ids.map((id) => new DeskDouble({ url: `mqtt://127.0.0.1:${proxy.port}`, id, secret: rig.secrets[id], board: 'linux', version: 'bench-1', image: randomImage(image.length) }));
  try {
    for (const d of desks) await d.boot();
    const wireBefore = proxy.bytesDown + proxy.bytesUp;
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
    }, 100);
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    const wire = proxy.bytesDown + proxy.bytesUp - wireBefore;
    const delivered = image.length * desks.filter((d) => d.version === 'bench-2').length;
    console.log(output.split('\n').filter((l) => /^(updated|already current|failed|rolled back|offline|stopped) \d/.test(l)).join('\n') || output.slice(-2000));
    console.log(
      formatTable(
        ['desks', 'image (B)', 'exit', 'time (s)', 'desk wire (MB)', 'wire / image bytes', 'update CPU (s)', 'CPU (% of a core)', 'update RSS peak (MiB)'],
        [[String(STATIONS), String(image.length), String(code), seconds.toFixed(1), (wire / 1e6).toFixed(2), (wire / delivered).toFixed(3), last.cpuS.toFixed(1), ((100 * last.cpuS) / seconds).toFixed(0), peakRss.toFixed(0)]],
        { right: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
      ),
    );
  } finally {
    await Promise.all(desks.map((d) => d.close()));
    await proxy.close();
    await rig.close();
  }
}
