// The dashboard in headless Chromium against a real `up --demo` (virtual desks
// running the firmware bundle, embedded broker, station service): a call with
// menu 3 rings on a card, is answered and hung up, and the card's ready key,
// pressed in the page, goes through the module's firmware over MQTT to the
// service, which makes the desk available again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Phase } from '../protocol/host-codec.ts';
import { CHROMIUM } from './helpers/prerequisites.ts';
import { requires } from './helpers/requires.ts';
import { startUpFixture, until, type UpFixture } from './helpers/up-fixture.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ID = 'wv-01';
const chromiumFound = requires('chromium');

let fx: UpFixture;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!chromiumFound) return;
  // No simulated calls or virtual agents: the test is the telephony and the agent.
  // A 5-minute wrap-up, so only the click can end it within the test.
  fx = await startUpFixture(['--demo', '--stations', '2', '--no-demo-calls', '--no-demo-agents', '--wrap-up', '300']);
  // Playwright gives each launch a fresh temporary profile.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

const card = (phase: string) => `[data-testid="card-${ID}"][data-phase="${phase}"]`;

describe('dashboard in Chromium', () => {
  it('shows a desk ringing with its menu number, and the ready key clicked during wrap-up makes it available', async () => {
    const { service, desks } = fx.up;
    const desk = desks.get(ID)!;
    await until(() => fx.up.registry.getStation(ID)?.online, 'the virtual desk online');
    await page.goto(fx.up.dashboardUrl);
    service.ingest({ type: 'sign_in', station: ID, agent: 'Test' });
    await page.waitForSelector(card('AVAILABLE'));

    service.ingest({ type: 'offered', station: ID, callId: 'call-1', menu: 3 });
    const ringing = await page.waitForSelector(card('RINGING'));
    expect(await (await ringing.$('.topic'))!.textContent()).toMatch(/^3 /);
    // The card shows the module's own display: the firmware's ringing screen names the topic too.
    await until(() => desk.sim.screen().some((line) => line.includes('Zähler')), 'the ringing screen on the module');
    await until(() => page.evaluate((id) => {
      const canvas = document.querySelector(`[data-testid="card-${id}"] canvas`) as HTMLCanvasElement;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      return new Set(Array.from(pixels.filter((_, i) => i % 4 === 0))).size > 1;
    }, ID), 'a drawn frame on the card');

    service.ingest({ type: 'answered', station: ID, callId: 'call-1' });
    await page.waitForSelector(card('TALKING'));
    service.ingest({ type: 'hangup', station: ID, callId: 'call-1', by: 'caller' });
    await page.waitForSelector(card('WRAP_UP'));
    // The key acts on what the module shows, so wait until its firmware has the wrap-up snapshot.
    await until(() => desk.view().phase === Phase.WRAP_UP, 'the module in wrap-up');

    await page.click(`[data-testid="key-${ID}-ready"]`);
    await page.waitForSelector(card('AVAILABLE'));
    expect(service.state(ID)?.phase).toBe(Phase.AVAILABLE);
    expect(desk.sim.errors).toEqual([]);
  });

  it('says in which language a module draws when the page is in another, and labels the keypad keys as its screen does', async () => {
    const en = await browser.newPage();
    try {
      const url = new URL(fx.up.dashboardUrl);
      url.searchParams.set('lang', 'en');
      await en.goto(url.href);
      const display = await en.waitForSelector(`[data-testid="card-${ID}"] [data-testid="display-lang"]:has-text("German")`, { timeout: 10_000 });
      expect(await display.textContent()).toBe('German');
      // The module's hint reads "#=Suchen *=Korrektur": the card's keys are # and *.
      expect(await en.textContent(`[data-testid="key-${ID}-ok"]`)).toBe('#');
      expect(await en.textContent(`[data-testid="key-${ID}-back"]`)).toBe('*');
      expect(await en.getAttribute(`[data-testid="key-${ID}-ok"]`, 'title')).toBe('Look up');
    } finally {
      await en.close();
    }
  });

  it('shows one page of cards at a time with the counts of every desk on top, and turns pages', async () => {
    const paged = await browser.newPage();
    try {
      const url = new URL(fx.up.dashboardUrl);
      url.searchParams.set('size', '1');
      await paged.goto(url.href);
      await paged.waitForSelector('[data-testid="card-km-01"]');
      expect(await paged.locator('[data-testid^="card-"]').count()).toBe(1);
      expect(await paged.textContent('[data-testid="pager-label"]')).toBe('Seite 1 von 2 · 2 Arbeitsplätze');
      // the counts are the site's, not the page's: both desks
      const total = async () => (await paged.locator('[data-testid="phase-counts"] b').allTextContents()).reduce((n, t) => n + Number(t), 0);
      await until(async () => (await total()) === 2, 'both desks counted');
      await paged.click('[data-testid="pager-next"]');
      await paged.waitForSelector(`[data-testid="card-${ID}"]`);
      expect(await paged.locator('[data-testid^="card-"]').count()).toBe(1);
      expect(await paged.textContent('[data-testid="pager-label"]')).toBe('Seite 2 von 2 · 2 Arbeitsplätze');
      expect(new URL(paged.url()).searchParams.get('page')).toBe('2');
      expect(await paged.isDisabled('[data-testid="pager-next"]')).toBe(true);
    } finally {
      await paged.close();
    }
  });
});
