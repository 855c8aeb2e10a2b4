// `deskphone accounts import` of a 50 MB directory (749,179 rows, the size
// of a large utility's customer base): wall time and the process's peak RSS,
// in a child process as an admin would run it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directoryCsv } from '../test/helpers/directory-csv.ts';

const ROWS = 749_179;
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'deskphone-bench-import-'));
  try {
    const file = join(dir, 'directory.csv');
    writeFileSync(file, directoryCsv(ROWS));
    const started = Date.now();
    const result = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, 'bin/deskphone.js', 'accounts', 'import', file, '--replace'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, DESKPHONE_HOME: join(dir, 'home') },
      encoding: 'utf8',
    });
    const seconds = (Date.now() - started) / 1000;
    const rss = Number(/maxrss_kb=(\d+)/.exec(result.stderr)?.[1] ?? NaN) / 1024;
    console.log(`${result.stdout.trim() || result.stderr.trim().split('\n')[0]}`);
    console.log(`${(statSync(file).size / 1e6).toFixed(1)} MB, ${ROWS} rows: ${seconds.toFixed(1)} s, peak RSS ${rss.toFixed(0)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
