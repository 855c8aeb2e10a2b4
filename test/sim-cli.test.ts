// `deskphone sim --png` boots the built bundle for a board in the simulator,
// prints the screen text and writes a screenshot of the display's size.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../provisioner/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sim-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function context() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { output: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), tty: false }, env: {}, stopSignal: new Promise<void>(() => {}) } };
}

describe('deskphone sim', () => {
  it('writes a PNG of the board display and prints the screen', async () => {
    const png = join(tmp, 'desk.png');
    const { out, ctx } = context();
    const code = await cli(['sim', '--board', 'esp32-st7789', '--png', png, '--seconds', '0.3', '--json'], ctx);
    expect(code).toBe(0);
    const result = JSON.parse(out.join('\n')) as { png: string; screen: string[]; errors: string[] };
    expect(result.errors).toEqual([]);
    expect(result.screen.length).toBeGreaterThan(0);
    const image = PNG.sync.read(readFileSync(png));
    expect([image.width, image.height]).toEqual([240 * 4, 135 * 4]);
  });

  it('names the problem and the fix when the screenshot cannot be written', async () => {
    const { err, ctx } = context();
    const code = await cli(['sim', '--board', 'linux', '--png', join(tmp, 'missing-dir', 'desk.png'), '--seconds', '0.1'], ctx);
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/cannot write .*desk\.png: ENOENT[\s\S]*fix: give --png a path/);
  });

  it('names the fix when the board is unknown', async () => {
    const { err, ctx } = context();
    const code = await cli(['sim', '--board', 'nokia-3310'], ctx);
    expect(code).not.toBe(0);
    expect(err.join('\n')).toContain('nokia-3310');
  });
});
