// Every screen of the desk module, driven through the simulator running the
// real bundle (firmware/dist/<board>.js) against a real broker on loopback.
// Used by the golden-screen tests (test/screens-*.test.ts) and by
// scripts/render-screens.ts, which writes the PNGs in hardware/docs/screens.
//
// Scenes enter through the firmware's one entry point (DP.post: decoded
// snapshots, lookup results, acks) and through the board's own input path
// (sim.press: buttons, keypad). Time is the simulator's manual clock, moved
// to fixed points so every render is the same on every run.
import { brokerWithStations, type BrokerFixture } from '../test/helpers/broker-fixtures.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { St7789 } from '../hardware/sim/st7789.ts';
import { encodeMessage } from '../protocol/host-codec.ts';
import { HOST_PRESENCE } from '../protocol/topics.ts';
import { deviceConfig, type DeviceConfig } from '../protocol/device-config.ts';
import { menuArea } from '../provisioner/service/calls.ts';

export const SCREEN_BOARDS = ['pixljs-w5100', 'esp32-ssd1306', 'esp32-st7789', 'linux'];
/** Simulated wall clock at boot: Monday 2026-01-05 08:00 UTC, 09:00 in Berlin. */
export const START = Date.UTC(2026, 0, 5, 8, 0, 0);
const STATION = 'desk-07';
const ACCOUNT = '400012345678';

export interface Shot {
  name: string;
  /** DP.screen(): the text lines in reading order. */
  text: string[];
  /** The display's pixels as ASCII art ('#' set). */
  ascii: string;
  png(): Buffer;
}
export type OnShot = (shot: Shot) => void | Promise<void>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ST7789 driver's reset pulse and datasheet waits (10 + 120 + 120 ms), and its first flip. */
const PANEL_WAKE_MS = 300;

/** One simulated desk module connected to its own broker. */
class Desk {
  seq = 0;
  private constructor(
    readonly sim: Simulator,
    readonly fx: BrokerFixture | null,
  ) {}

  static async open(board: string, lang: string, opts: { config?: boolean; badPass?: boolean } = {}): Promise<Desk> {
    const fx = opts.config === false ? null : await brokerWithStations([STATION]);
    const config = fx
      ? deviceConfig({
          id: STATION, board, host: '127.0.0.1', port: fx.broker.tcpPort, lang: lang as DeviceConfig['lang'],
          pass: opts.badPass ? 'not-the-secret' : fx.secrets[STATION],
          net: { ssid: 'hotline', psk: 'wifi-pass' },
        })
      : undefined;
    const sim = new Simulator({ board, config, clock: 'manual', startTime: START });
    sim.boot();
    // The pictures show the glass: an ST7789 is dark until its reset and sleep-out waits are over.
    if (sim.panel instanceof St7789) await sim.advance(PANEL_WAKE_MS);
    return new Desk(sim, fx);
  }

  now(): number {
    return this.sim.eval('Date.now()') as number;
  }

  /** Runs simulated time in small steps, letting real sockets work in between, until pred holds. */
  async until(pred: () => boolean, what: string): Promise<void> {
    // Up to ~10 s of real time: a loaded machine is slow to move bytes over loopback.
    for (let i = 0; i < 2000; i++) {
      if (pred()) return;
      await this.sim.advance(25);
      await sleep(5);
    }
    throw new Error(`simulated desk: timed out waiting for ${what}; screen: ${this.sim.screen().join(' / ')}`);
  }

  /**
   * Moves the clock to an absolute simulated time (timers due on the way run),
   * in half-second steps with real time in between: the broker answers the
   * link's keepalive over a real socket, and one long jump would make the link
   * think the broker had gone.
   */
  async at(t: number): Promise<void> {
    let n = this.now();
    if (t < n) throw new Error(`scene clock would run backwards (${t - n} ms)`);
    while (n < t) {
      await this.sim.advance(Math.min(500, t - n));
      await sleep(1);
      n = this.now();
    }
  }

  post(ev: object): void {
    this.sim.eval('DP.post(' + JSON.stringify(ev) + ')');
  }

  snap(phase: number, call: object | null, extra: object = {}): void {
    const t = this.now();
    this.post({
      t: 'snap',
      v: {
        station: STATION, phase, call, wrapUpDeadlineMs: 0, hostTimeMs: t, reason: 0, seq: ++this.seq,
        areas: [1, 2], wrapUpS: 300, phaseSinceMs: t, agent: 'Anna Schulz', ...extra,
      },
    });
  }

  state(): any {
    return this.sim.state();
  }

  shot(name: string): Shot {
    const sim = this.sim;
    return { name, text: sim.screen(), ascii: sim.ascii(), png: () => sim.png(2) };
  }

  async close(): Promise<void> {
    this.sim.close();
    if (this.fx) await this.fx.close();
  }
}

function call(menu: number, area: number, over: object = {}): object {
  return { callId: 'call-' + menu, menu, area, ivrAccount: '', offeredMs: START, answeredMs: 0, endedMs: 0, ...over };
}

const FOUND = { status: 1, account: ACCOUNT, name: 'Erika Müller', street: 'Seestraße 4', place: '13353 Berlin', openItems: 2, openCents: 12345 };
const FAILED = { account: ACCOUNT, name: '', street: '', place: '', openItems: 0, openCents: 0 };

/**
 * Keys digits in through the board's input: keypad digits, or on the 4 buttons
 * up/down at the empty place (up starts at 0, down at 9) and next to move on.
 */
async function keyIn(d: Desk, digits: string, keypad: boolean): Promise<void> {
  for (const ch of digits) {
    if (keypad) {
      await d.sim.press(ch);
      continue;
    }
    const n = Number(ch);
    const down = n >= 5;
    for (let i = 0; i < (down ? 10 - n : n + 1); i++) await d.sim.press(down ? 'down' : 'up');
    if (d.state().acc.length < 12) await d.sim.press('next');
  }
}

/** The scenes of one language on a connected desk, each at an odd whole second (no ringing flash). */
async function callScenes(d: Desk, lang: string, shoot: OnShot): Promise<void> {
  const keypad = d.sim.board.input.kind === 'keypad';
  const next = async () => {
    await d.at((Math.floor(d.now() / 2000) + 1) * 2000 + 1000);
  };
  const sfx = lang === 'de' ? '' : '-' + lang;
  // A fixed point after the (real-time) connect, so all later clocks are the same on every run.
  await d.at(START + 21_000);
  d.snap(2, null);
  await shoot(d.shot('available' + sfx));
  for (let menu = 1; menu <= (lang === 'de' ? 6 : 2); menu++) {
    await next();
    d.snap(3, call(menu, menuArea(menu) as number));
    await shoot(d.shot('ringing-menu' + menu + sfx));
    if (menu === 1 && lang === 'de') {
      // The attention flash: the next (even) second draws the ringing screen inverted.
      await d.at(d.now() + 1000);
      await shoot(d.shot('ringing-flash'));
    }
  }
  // The IVR collected the account: the device looks it up at once.
  await next();
  d.snap(3, call(3, menuArea(3) as number, { callId: 'call-ivr', ivrAccount: ACCOUNT }));
  await shoot(d.shot('ringing-ivr-lookup' + sfx));
  d.post({ t: 'res', v: { corr: d.state().lk.c, ...FOUND } });
  await shoot(d.shot('ringing-ivr-found' + sfx));
  // Talking on a new call, 1:05 in; the agent keys the account in, with a correction.
  await next();
  d.snap(4, call(2, menuArea(2) as number, { callId: 'call-talk', answeredMs: d.now() - 65_000 }), { phaseSinceMs: d.now() - 65_000 });
  await shoot(d.shot('talking-entry' + sfx));
  await keyIn(d, '4000129', keypad);
  await d.sim.press('back');
  await next();
  await shoot(d.shot('talking-entry-corrected' + sfx));
  await keyIn(d, ACCOUNT.slice(6), keypad);
  const outcomes: [string, object | null][] =
    lang === 'de'
      ? [['found', FOUND], ['not-found', { status: 2, ...FAILED }], ['invalid', { status: 3, ...FAILED }], ['rate-limited', { status: 4, ...FAILED }], ['directory-down', { status: 5, ...FAILED }], ['no-answer', null]]
      : [['found', FOUND], ['no-answer', null]];
  for (const [name, result] of outcomes) {
    await next();
    await d.sim.press('ok');
    if (name === 'found') await shoot(d.shot('talking-lookup-waiting' + sfx));
    if (result) d.post({ t: 'res', v: { corr: d.state().lk.c, ...result } });
    // No answer: the next tick after 5 s says so.
    else await d.at(d.now() + 6000);
    await shoot(d.shot('talking-' + name + sfx));
  }
  // Wrap-up from the host's absolute deadline: 5:00, then 2:30 with a ticket acknowledged and a letter sent, then 0:01.
  await next();
  const deadline = d.now() + 300_000;
  d.snap(5, call(2, menuArea(2) as number, { callId: 'call-talk', answeredMs: d.now() - 200_000, endedMs: d.now() }), { wrapUpDeadlineMs: deadline });
  await shoot(d.shot('wrapup-5m00' + sfx));
  await d.sim.press('ticket');
  d.post({ t: 'ack', v: { key: d.state().act[0].k, status: 1, ref: 'T-2026-004711', kind: 1, detail: '' } });
  await d.sim.press(keypad ? '2' : 'down');
  await d.at(deadline - 150_000);
  await shoot(d.shot('wrapup-2m30' + sfx));
  await d.at(deadline - 1000);
  await shoot(d.shot('wrapup-0m01' + sfx));
  await next();
  d.snap(6, null, { phaseSinceMs: d.now() - 754_000 });
  await shoot(d.shot('paused' + sfx));
  await next();
  d.snap(1, null, { areas: [], agent: '' });
  await shoot(d.shot('signed-out' + sfx));
}

/** Marks for a missing host, then a missing broker, during wrap-up (the countdown keeps running). */
async function offlineScenes(d: Desk, shoot: OnShot): Promise<void> {
  await d.at(d.now() + 2000);
  const deadline = d.now() + 200_000;
  d.snap(5, call(1, menuArea(1) as number), { wrapUpDeadlineMs: deadline });
  const fx = d.fx as BrokerFixture;
  const presence = Buffer.from(encodeMessage('HostPresence', { online: false, timeMs: d.now(), version: '0.1.0' }));
  await new Promise<void>((r) => fx.broker.aedes.publish({ cmd: 'publish', topic: HOST_PRESENCE, payload: presence, qos: 0, retain: false, dup: false } as any, () => r()));
  await d.until(() => d.sim.screen()[0].includes('['), 'the host-offline mark');
  await d.at(deadline - 120_000);
  await shoot(d.shot('offline-host'));
  await fx.broker.close();
  await d.until(() => d.sim.screen()[0].includes('OFFLINE'), 'the offline mark');
  await d.at(deadline - 90_000);
  await shoot(d.shot('offline-link'));
}

/**
 * The scenes in parts a test can take one at a time: the start-up screens, then those of each language on a
 * connected desk (German with the offline marks). Rendering is CPU work: on the 240x135 board the whole ran past a
 * test's 30 s at load 14 on two cores.
 */
export const SCENE_PARTS = ['start-up', 'de', 'en'] as const;
export type ScenePart = (typeof SCENE_PARTS)[number];

/** Renders the scenes of a board (of the parts given, by default all), calling onShot for each. */
export async function shootAll(board: string, onShot: OnShot, parts: readonly ScenePart[] = SCENE_PARTS): Promise<void> {
  if (parts.includes('start-up')) await startUpScenes(board, onShot);
  for (const lang of ['de', 'en'] as const) {
    if (!parts.includes(lang)) continue;
    const d = await Desk.open(board, lang);
    try {
      await d.until(() => d.state().up === true, 'the link to come online');
      await callScenes(d, lang, onShot);
      if (lang === 'de') await offlineScenes(d, onShot);
    } finally {
      await d.close();
    }
  }
}

async function startUpScenes(board: string, onShot: OnShot): Promise<void> {
  const none = await Desk.open(board, 'de', { config: false });
  try {
    await onShot(none.shot('not-set-up'));
  } finally {
    await none.close();
  }
  const bad = await Desk.open(board, 'de', { badPass: true });
  try {
    await onShot(bad.shot('starting'));
    await bad.until(() => bad.state().ls === 'auth', 'the broker to refuse the password');
    await onShot(bad.shot('starting-bad-credentials'));
  } finally {
    await bad.close();
  }
}
