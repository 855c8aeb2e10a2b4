// `up` runs the bundles that get flashed; a checkout fresh from git has none,
// and one edited since the last build has stale ones. Build them then.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BOARDS_DIR, boardNames } from '../../hardware/board.ts';
import { buildAll, DIST_DIR, REPO_ROOT } from '../../firmware/build.ts';

/** What goes into a bundle: firmware sources, the protocol it speaks, board profiles, the build itself. */
const INPUTS = [join(REPO_ROOT, 'firmware', 'src'), join(REPO_ROOT, 'protocol'), BOARDS_DIR, join(REPO_ROOT, 'firmware', 'build.ts')];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Boards whose bundle is missing or older than its inputs. */
export function staleBundles(): string[] {
  const inputs = Math.max(...INPUTS.map(newestMtime));
  return boardNames().filter((board) => {
    const bundle = join(DIST_DIR, `${board}.js`);
    return !existsSync(bundle) || statSync(bundle).mtimeMs < inputs;
  });
}

/** Builds the bundles if any is missing or stale; returns the boards built. */
export async function ensureFirmware(log: (line: string) => void): Promise<string[]> {
  const stale = staleBundles();
  if (stale.length === 0) return [];
  log(`building firmware bundles (${stale.join(', ')} missing or older than the sources) …`);
  await buildAll({ boards: stale, log: (line) => log('  ' + line) });
  return stale;
}
