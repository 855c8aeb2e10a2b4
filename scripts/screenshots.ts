// The README pictures in docs/img/:
// - module-<board>.png: one call on the desk module (ringing, talking with the
//   customer found, wrap-up, available), put together from the screens that
//   scripts/render-screens.ts renders from the real bundle into
//   hardware/docs/screens (test/screens-docs-png.test.ts keeps those current,
//   test/up-screenshots-current.test.ts keeps these in step with them);
// - dashboard.png: the web dashboard of `deskphone up --demo` in headless
//   Chromium, with the desks put into a spread of phases. Clocks and
//   countdowns move (the module screens, the "Zeit" column): the test renders
//   it again with those masked and compares the rest pixel for pixel.
// Run: node bin/run-ts.js scripts/screenshots.ts
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { parseUpArgs } from '../provisioner/commands/up.ts';
import { demoAccountNumbers } from '../provisioner/demo/directory.ts';
import { startUp } from '../provisioner/up/index.ts';
import { pngPath } from './render-screens.ts';
import { SCREEN_BOARDS } from './screens.ts';

export const IMG_DIR = fileURLToPath(new URL('../docs/img', import.meta.url));
/** The scenes of one call, in order. */
export const CALL_SCENES = ['ringing-menu3', 'talking-found', 'wrapup-2m30', 'available'];
const GAP = 12;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Places PNGs side by side on a white background. */
function strip(images: PNG[]): Buffer {
  const width = images.reduce((w, img) => w + img.width, 0) + GAP * (images.length + 1);
  const height = Math.max(...images.map((img) => img.height)) + 2 * GAP;
  const out = new PNG({ width, height });
  out.data.fill(255);
  let x = GAP;
  for (const img of images) {
    PNG.bitblt(img, out, 0, 0, img.width, img.height, x, GAP);
    x += img.width + GAP;
  }
  return PNG.sync.write(out);
}

/** Writes module-<board>.png for every board with scenes; returns the files. */
export function moduleStrips(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const board of SCREEN_BOARDS) {
    const file = join(outDir, `module-${board}.png`);
    writeFileSync(file, strip(CALL_SCENES.map((scene) => PNG.sync.read(readFileSync(pngPath(board, scene))))));
    files.push(file);
  }
  return files;
}

/** The colour masked regions get in a screenshot taken with `maskClocks`. */
export const MASK_RGB = [255, 0, 255] as const;
/** Where each desk of the picture is when it is taken. */
const PICTURE_PHASES: Record<string, string> = {
  'wv-01': 'RINGING',
  'wv-02': 'TALKING',
  'wv-03': 'AVAILABLE',
  'wv-04': 'PAUSED',
  'km-01': 'WRAP_UP',
  'km-02': 'TALKING',
  'km-03': 'WRAP_UP',
  'km-04': 'AVAILABLE',
};

/**
 * `up --demo` with its 8 desks put into every phase, photographed in Chromium.
 * With maskClocks, what moves with the clock (module screens, times) is
 * painted MASK_RGB.
 */
export async function dashboardScreenshot(file: string, options: { maskClocks?: boolean } = {}): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'deskphone-shot-'));
  const quiet = { out: () => {}, err: () => {}, tty: false };
  const up = await startUp(parseUpArgs(['--demo', '--http', '127.0.0.1:0', '--listen', '127.0.0.1:0', '--no-demo-calls', '--no-demo-agents', '--wrap-up', '300']), {
    output: quiet,
    env: { DESKPHONE_HOME: home },
    stopSignal: new Promise(() => {}),
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    while (up.registry.listStations().some((s) => !s.online)) await sleep(100);
    const ingest = (event: object) => up.service.ingest(event);
    const call = (station: string, menu: number, steps: string[]) => {
      const callId = `shot-${station}`;
      ingest({ type: 'offered', station, callId, menu });
      for (const type of steps) ingest(type === 'hangup' ? { type, station, callId, by: 'caller' } : { type, station, callId });
    };
    for (const id of up.desks.keys()) ingest({ type: 'sign_in', station: id, agent: `Agent ${id}` });
    call('wv-01', 1, []);
    call('wv-02', 4, ['answered']);
    call('km-02', 2, ['answered']);
    call('km-01', 3, ['answered', 'hangup']);
    call('km-03', 6, ['answered', 'hangup']);
    ingest({ type: 'pause', station: 'wv-04' });
    await sleep(1500);
    // An agent keys in a customer's account; another has already filed a ticket in wrap-up.
    for (const key of [...demoAccountNumbers()[7], 'ok']) await up.desks.get('km-02')!.type(key);
    await up.desks.get('km-03')!.type('ticket');
    await sleep(2500);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(up.dashboardUrl);
    for (const [id, phase] of Object.entries(PICTURE_PHASES)) await page.waitForSelector(`[data-testid="card-${id}"][data-phase="${phase}"]`);
    await sleep(1000);
    const mask = options.maskClocks ? { mask: [page.locator('canvas.screen'), page.locator('dd.time')], maskColor: `rgb(${MASK_RGB.join(',')})` } : {};
    await page.screenshot({ path: file, fullPage: true, ...mask });
  } finally {
    await browser.close();
    await up.close();
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  for (const file of moduleStrips(IMG_DIR)) console.log(file);
  await dashboardScreenshot(join(IMG_DIR, 'dashboard.png'));
  console.log(join(IMG_DIR, 'dashboard.png'));
}
