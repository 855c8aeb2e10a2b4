// A data directory from before a board profile was renamed (pixljs-w5500 became
// pixljs-w5100): `up --demo` registers that desk afresh with the board the
// demo plans for it, instead of failing to load a profile that no longer exists.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { demoStationPlan, provisionDemoSite } from '../provisioner/demo/site.ts';
import { openRegistry } from '../provisioner/registry/index.ts';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

test('a demo desk registered under another board gets the planned board and a fresh config', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'deskphone-demo-board-'));
  dirs.push(dir);
  const pixl = demoStationPlan(8).find((s) => s.board !== 'linux')!;
  const registry = openRegistry(dir);
  try {
    await registry.addStation({ ...pixl, board: 'linux' });
    const desks = await provisionDemoSite(registry, dir, 8, { host: '127.0.0.1', port: 1883 });

    expect(registry.getStation(pixl.id)!.board).toBe(pixl.board);
    expect(desks.find((d) => d.id === pixl.id)!.board).toBe(pixl.board);
    expect(JSON.parse(readFileSync(join(dir, 'demo', `${pixl.id}.json`), 'utf8')).board).toBe(pixl.board);
  } finally {
    registry.close();
  }
});
