// What the README tells a new user holds: the Node versions package.json
// accepts, `npx deskphone` in the checkout, the dashboard's push interval, an
// install with no unreviewed install scripts, and a Pixl.js build line a
// technician can act on, in the README's words.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatBuild } from '../firmware/build.ts';
import { PUSH_INTERVAL_MS } from '../provisioner/dashboard/server.ts';

const readme = readFileSync('README.md', 'utf8');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string }; allowScripts: Record<string, boolean> };
/** The README up to its first section: what a new user reads before `npm install`. */
const quickStart = readme.slice(0, readme.indexOf('\n## '));

describe('README facts', () => {
  it('names the Node versions package.json accepts, before the first section', () => {
    const [, min20, min22] = /^>=(20\.\d+) <21 \|\| >=(22\.\d+)$/.exec(pkg.engines.node) ?? [];
    expect(min20, pkg.engines.node).toBeDefined();
    expect(quickStart).toContain(`Node ${min20} or a later 20.x, or ${min22} or later`);
  });

  it('runs the CLI as `npx deskphone` in the checkout, as it says', async () => {
    expect(quickStart).toContain('`npx deskphone …`');
    // --no: never fetch a package of that name from the registry; the checkout's own bin must answer.
    const { stdout } = await promisify(execFile)('npx', ['--no', '--', 'deskphone', '--version']);
    expect(stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('gives the dashboard push interval the server uses', () => {
    const said = [...readme.matchAll(/coalesced every (\d+) ms/g)].map((m) => Number(m[1]));
    expect(said.length).toBeGreaterThan(0);
    expect(said.every((ms) => ms === PUSH_INTERVAL_MS), `README says ${said.join(', ')} ms`).toBe(true);
  });

  it('has every dependency with an install script reviewed in allowScripts (npm warns about the rest)', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.filter((name) => !(name in pkg.allowScripts))).toEqual([]);
  });

  it('tells the technician how a Pixl.js receives an update and what room its slot has', () => {
    const line = formatBuild({
      board: 'pixljs-w5100', file: 'x.js', bytes: 26_632, budget: 28_476, boot: { file: 'x.boot.js', bytes: 3740 },
      manifest: { board: 'pixljs-w5100', version: '1', bytes: 26_632, crc32: 1, sha256: '' },
      storage: { storageBytes: 36_864, bundleBytes: 26_632, configBytes: 300, used: 32_768, fits: true, slots: { count: 1, slotBytes: 28_672, imageMax: 28_476, room: 1844 } },
    });
    expect(line).toContain('Storage in one slot of 28672 B (images up to 28476 B, 1844 B left)');
    expect(line).toContain('updates are received by the recovery (the module shows "Update" and no calls meanwhile)');
    expect(readme).toContain('updates are received by the recovery');
  });
});
