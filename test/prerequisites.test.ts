// A test that needs something the machine lacks: outside CI it is skipped and
// the run ends with one line naming what is missing and how to get it; with
// CI=true it fails with that message. Each case is a vitest run of its own
// over one fixture test that requires chromium, which is made to look missing.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../firmware/build.ts';

const VITEST = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const CONFIG = join(REPO_ROOT, 'test', 'fixtures', 'prerequisites', 'vitest.config.ts');

function runFixture(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const base = { ...process.env };
  delete base.CI;
  delete base.VITEST;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VITEST, 'run', '--config', CONFIG, '--color=false'], { cwd: REPO_ROOT, env: { ...base, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('a missing prerequisite', () => {
  it('skips the test outside CI and says so in one line at the end', async () => {
    const run = await runFixture({ DESKPHONE_PRETEND_MISSING: 'chromium' });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/Tests\s+1 skipped/);
    const summary = run.out.trimEnd().split('\n').at(-1);
    expect(summary).toMatch(/^Skipped for missing prerequisites \(CI=true fails them instead\): 1 test needs chromium \((sudo )?apt-get install -y --no-install-recommends chromium\)$/);
  });

  it('fails the test with CI=true, naming what is missing and how to get it', async () => {
    const run = await runFixture({ DESKPHONE_PRETEND_MISSING: 'chromium', CI: 'true' });
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/Tests\s+1 failed/);
    expect(run.out).toContain('CI=true: a missing prerequisite fails the test. chromium is missing (DESKPHONE_PRETEND_MISSING names it); get it: ');
    expect(run.out).not.toContain('Skipped for missing prerequisites');
  });
});
