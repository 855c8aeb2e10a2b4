// view(state, now) -> Screen: what the display shows, as data. draw() in
// firmware/src/ui turns it into pixels; DP.screen() turns it into text lines.
import { LookupStatus, Phase } from '../../../protocol/device/enums.generated.ts';
import { tr } from './i18n.ts';
import { Act, LOOKUP_TIMEOUT_MS, State, hostNow, phaseOf } from './state.ts';
import { Actions, AREA_CODES, Catalogue, NET_STEPS, S, nocfgLines, table } from './text.generated.ts';

/** Glyph 0x7F of the firmware font is a check mark: the host acknowledged this action. */
export const CHECK = '\x7f';

export const enum Big {
  NONE = 0,
  /** Big text in a column at the left, lines beside it (the ringing menu number). */
  LEFT = 1,
  /** Big text centred under the header, lines below it (clocks and countdowns). */
  ROW = 2,
}

export interface Screen {
  /** Screen name (for tests and DP). */
  k: string;
  /** Header: title, right-hand text, offline mark ('' when online). */
  h: string;
  r: string;
  o: string;
  /** Big text (menu number, clock, countdown) and where it goes (Big). */
  b: string;
  bp: number;
  l: string[];
  /** Lines laid out in this many columns (2 for the wrap-up action grid). */
  g: number;
  /** Progress 0..1, or -1 for no bar. */
  p: number;
  /** Footer line: key hints or a status. */
  f: string;
  /** Attention: draw inverted, sound the buzzer. */
  i: boolean;
  z: boolean;
}

function blank(k: string, title: string): Screen {
  return { k: k, h: title, r: '', o: '', b: '', bp: Big.NONE, l: [], g: 1, p: -1, f: '', i: false, z: false };
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

/**
 * A duration as a clock: counting down "m:ss" with seconds rounded up (0:00
 * only at the end), counting up "mm:ss" rounded down as a stopwatch does.
 */
function dur(ms: number, down: boolean): string {
  const t = ms > 0 ? (down ? Math.ceil(ms / 1000) : Math.floor(ms / 1000)) : 0;
  const m = Math.floor(t / 60);
  return (down ? m : pad2(m)) + ':' + pad2(t % 60);
}

/** Days since 1970-01-01 for a civil date (proleptic Gregorian). */
function daysOf(y: number, m: number, d: number): number {
  if (m <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** Time of day in Berlin (CET/CEST) as HH:MM; the device has no time zone database. */
export function berlinClock(ms: number): string {
  const day = Math.floor(ms / 86400000);
  let y = 1970 + Math.floor(day / 365.2425);
  if (daysOf(y, 1, 1) > day) y--;
  else if (daysOf(y + 1, 1, 1) <= day) y++;
  // EU summer time: from the last Sunday of March to the last Sunday of October, 01:00 UTC (day 0 was a Thursday).
  const mar = daysOf(y, 3, 31);
  const oct = daysOf(y, 10, 31);
  const summer = ms >= (mar - ((mar + 4) % 7)) * 86400000 + 3600000 && ms < (oct - ((oct + 4) % 7)) * 86400000 + 3600000;
  const min = Math.floor((ms + (summer ? 7200000 : 3600000)) / 60000);
  return pad2(Math.floor(min / 60) % 24) + ':' + pad2(min % 60);
}

/**
 * Text from outside (directory, agent name) in what the font can draw: the
 * font has ASCII and ÄÖÜäöüß; other accented Latin-1 letters lose the accent,
 * anything else becomes '?', so no letter silently vanishes from a name.
 */
export function drawable(str: string): string {
  let out = '';
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    // What stands for U+00C0..U+00FF in turn: '*' the letter itself, '?' none
    // (ASCII letters only: a literal with Latin-1 letters costs 4 bytes for each in the bundle).
    const m = c < 127 ? '*' : c >= 0xc0 && c <= 0xff ? 'AAAA*A?CEEEEIIII?NOOOO*?OUUU*Y?*aaaa*a?ceeeeiiii?noooo*?ouuu*y?y'.charAt(c - 0xc0) : '?';
    out += m === '*' ? str.charAt(i) : m;
  }
  return out;
}

/** Lines for the lookup outcome: address when found, else the failure in words. */
function lookupLines(s: State, t: string, now: number, lines: string[]): void {
  const l = s.lk;
  if (!l) return;
  if (l.st === 2 || (l.st === 0 && now - l.t >= LOOKUP_TIMEOUT_MS)) lines.push(tr(t, S.TIMEOUT));
  else if (!l.r) lines.push(tr(t, S.WAIT));
  else if (l.r.status !== LookupStatus.FOUND) {
    lines.push(tr(t, S.LOOKUP + (l.r.status > LookupStatus.FOUND && l.r.status < LookupStatus.DIRECTORY_UNAVAILABLE ? l.r.status : LookupStatus.DIRECTORY_UNAVAILABLE)));
  }
  else {
    lines.push(drawable(l.r.name));
    lines.push(drawable(l.r.street));
    lines.push(drawable(l.r.place));
  }
}

/** Topic name of a menu choice, '?' for a value outside the menu; soft hyphens (U+00AD) mark where it may break. */
function topic(t: string, menu: number): string {
  return menu >= 1 && menu <= Catalogue.MENUS ? tr(t, S.MENU + menu) : '?';
}

function ringing(s: State, t: string, now: number): Screen {
  const sn = s.sn as NonNullable<State['sn']>;
  const c = sn.call;
  const sc = blank('ring', tr(t, S.PHASE + Phase.RINGING));
  const menu = c ? c.menu : 0;
  sc.r = c ? AREA_CODES[c.area] || '' : '';
  sc.b = menu >= 1 && menu <= Catalogue.MENUS ? '' + menu : '?';
  sc.bp = Big.LEFT;
  // Long topic names break after their slash and at their soft hyphen (drawn as '-') so the column beside the number stays narrow.
  sc.l = topic(t, menu).replace('\xad', '-\xad').replace('/', '/\xad').split('\xad');
  if (s.acc) {
    sc.l.push(s.acc);
    lookupLines(s, t, now, sc.l);
  }
  // The attention flash: inverted on even seconds, normal on odd ones.
  sc.i = Math.floor(now / 1000) % 2 === 0;
  sc.z = true;
  return sc;
}

function talking(s: State, t: string, now: number): Screen {
  const sn = s.sn as NonNullable<State['sn']>;
  const c = sn.call;
  const sc = blank('talk', tr(t, S.PHASE + Phase.TALKING));
  const since = c && c.answeredMs ? c.answeredMs : sn.phaseSinceMs;
  sc.r = dur(hostNow(s, now) - since, false);
  sc.l.push(c ? c.menu + ' ' + topic(t, c.menu).replace('\xad', '') : '');
  const l = s.lk;
  if (l) {
    sc.l.push(s.acc);
    lookupLines(s, t, now, sc.l);
    const r = l.r;
    if (r && r.status === 1 && l.st === 1) {
      // Euro cents as "123,45 EUR": the font is Latin-1, no euro sign.
      const cents = r.openCents < 0 ? -r.openCents : r.openCents;
      sc.f = r.openItems + ' ' + tr(t, S.OPEN) + ' ' + (r.openCents < 0 ? '-' : '') + Math.floor(cents / 100) + ',' + pad2(cents % 100) + ' EUR';
    }
  } else {
    sc.l.push(tr(t, S.ACCT));
    // Missing digits as '_'; on 4-button boards the digit being edited in brackets.
    let field = '';
    for (let i = 0; i < s.dig; i++) {
      const ch = i < s.acc.length ? s.acc.charAt(i) : '_';
      field += !s.kp && i === s.cur ? '[' + ch + ']' : ch;
    }
    sc.l.push(field);
    const left = s.dig - s.acc.length;
    if (left > 0) sc.l.push(tr(t, S.MORE) + ' ' + left);
  }
  if (!sc.f) sc.f = s.kp ? tr(t, S.KP_HINT) : tr(t, S.BT_HINT);
  return sc;
}

function actionCell(s: State, kind: number, key: string, label: string): string {
  let a: Act | null = null;
  for (let i = 0; i < s.act.length; i++) if (s.act[i].kd === kind) a = s.act[i];
  const head = key ? key + ' ' : '';
  if (!a) return head + label;
  if (a.st === 0) return head + label + '..';
  if (a.st === 2) return head + label + '!';
  return head + CHECK + label;
}

function wrapUp(s: State, t: string, now: number): Screen {
  const sn = s.sn as NonNullable<State['sn']>;
  const sc = blank('wrap', tr(t, S.PHASE + Phase.WRAP_UP));
  const left = sn.wrapUpDeadlineMs - hostNow(s, now);
  const total = (sn.wrapUpS || Catalogue.WRAP_UP_S) * 1000;
  sc.b = dur(left, true);
  sc.bp = Big.ROW;
  const p = left <= 0 ? 1 : 1 - left / total;
  sc.p = p < 0 ? 0 : p;
  sc.g = 2;
  // Keypad: digits 1/2/3/0. Buttons: the cell's corner is the button's corner
  // (top left up, top right next, bottom left down, bottom right ok).
  const order: string = s.kp ? Actions.KEYPAD_CELLS : Actions.BUTTON_CELLS;
  for (let i = 0; i < order.length; i++) {
    const kind = +order.charAt(i);
    sc.l.push(actionCell(s, kind, s.kp ? (Actions.DIGIT as string).charAt(kind) : '', tr(t, S.ACTION + kind)));
  }
  // The caller asks for the reference: the newest one gets the full width of
  // the footer (T-2026-000123 does not fit a grid cell on either display).
  for (let i = 0; i < s.act.length; i++) if (s.act[i].st === 1 && s.act[i].ref) sc.f = CHECK + s.act[i].ref;
  return sc;
}

export function view(s: State, now: number): Screen {
  if (!s.ok) {
    const nc = blank('nocfg', tr(table('de'), S.NOCFG));
    nc.l = nocfgLines();
    return nc;
  }
  const t = table(s.lang);
  const sn = s.sn;
  if (!sn) {
    const bt = blank('boot', tr(t, S.BOOT));
    bt.l.push(tr(t, S.STN) + ' ' + s.id);
    const n = s.ls ? NET_STEPS.split('|').indexOf(s.ls) : -1;
    bt.l.push(n >= 0 ? tr(t, S.NET + n) : s.ls ? s.ls : tr(t, S.NET + 2));
    if (s.ld) bt.l.push(s.ld);
    bt.f = tr(t, S.VER) + ' ' + s.fw;
    return bt;
  }
  const p = phaseOf(s);
  let sc: Screen;
  if (p === Phase.RINGING) sc = ringing(s, t, now);
  else if (p === Phase.TALKING) sc = talking(s, t, now);
  else if (p === Phase.WRAP_UP) sc = wrapUp(s, t, now);
  else if (p === Phase.AVAILABLE) {
    sc = blank('idle', tr(t, S.PHASE + Phase.AVAILABLE));
    sc.b = berlinClock(hostNow(s, now));
    sc.bp = Big.ROW;
    sc.l.push(tr(t, S.STN) + ' ' + s.id);
    let areas = '';
    for (let i = 0; i < sn.areas.length; i++) areas += ' ' + (AREA_CODES[sn.areas[i]] || '');
    sc.l.push(areas ? tr(t, S.AREAS) + areas : '');
  } else if (p === Phase.PAUSED) {
    sc = blank('pause', tr(t, S.PHASE + Phase.PAUSED));
    sc.b = dur(hostNow(s, now) - sn.phaseSinceMs, false);
    sc.bp = Big.ROW;
    sc.l.push(tr(t, S.SINCE) + ' ' + berlinClock(sn.phaseSinceMs));
    sc.l.push(drawable(sn.agent));
  } else {
    sc = blank('out', tr(t, S.PHASE + Phase.SIGNED_OUT));
    sc.l.push(tr(t, S.STN) + ' ' + s.id);
    sc.l.push(tr(t, S.NO_AGENT));
  }
  // Updates run only outside calls, so the footer is free on the screens they run on.
  if (s.upd >= 0) sc.f = tr(t, S.UPDATE) + ' ' + s.upd + '%';
  if (now < s.idf) {
    sc.i = Math.floor(now / 500) % 2 === 0;
    sc.z = true;
  }
  // The screen stays up with its last data (countdown still running); the mark says it may be stale.
  sc.o = !s.up ? tr(t, S.OFF) : !s.ho ? tr(t, S.NO_HOST) : '';
  return sc;
}

/** The screen as text lines in reading order (DP.screen()). */
export function screenText(sc: Screen): string[] {
  const out = [sc.h + (sc.o ? ' [' + sc.o + ']' : '') + (sc.r ? ' ' + sc.r : '')];
  if (sc.b) out.push(sc.b);
  for (let i = 0; i < sc.l.length; i += sc.g) out.push(sc.g === 2 ? sc.l[i] + ' | ' + (sc.l[i + 1] || '') : sc.l[i]);
  if (sc.f) out.push(sc.f);
  return out;
}
