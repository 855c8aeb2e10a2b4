// Input adapters: buttons and keypad become key names (the same ones DP.press
// takes), a long press its profile's long key. Linux has no input pins; keys
// arrive through DP.press on the REPL.
import type { BoardProfile } from '../../../hardware/board.ts';

declare function setWatch(fn: (e: { state: boolean; time: number; lastTime: number }) => void, pin: any, opts: object): any;
declare function digitalWrite(pin: any, v: number): void;
declare function digitalRead(pin: any): number;
declare function pinMode(pin: any, mode: string): void;
declare const __BOARD__: BoardProfile;
declare const global: any;

/** Held this long (seconds, as setWatch reports time) a key sends its long-press key. */
const LONG_S = 0.6;

type Input = BoardProfile['input'];
type Press = (key: string) => void;

interface Pad {
  in: Input & { kind: 'keypad' };
  on: Press;
  /** Key held down and since when. */
  k: string;
  t: number;
}

function onButton(on: Press, b: { key: string; long?: string }, e: { state: boolean; time: number; lastTime: number }): void {
  // Pixl.js buttons read 1 while pressed: act on release, when the duration is known.
  if (e.state) return;
  on(e.time - e.lastTime >= LONG_S && b.long ? b.long : b.key);
}

function driveRows(p: Pad, v: number): void {
  for (let r = 0; r < p.in.rows.length; r++) digitalWrite(global[p.in.rows[r]], v);
}

/** A column went high: find the row by driving one row at a time, then drive all again for the next press. */
function onColumn(p: Pad, c: number, e: { state: boolean; time: number }): void {
  const rows = p.in.rows;
  if (!e.state) {
    const long = p.in.long as { [k: string]: string | undefined } | undefined;
    if (p.k) p.on(e.time - p.t >= LONG_S && long && long[p.k] ? (long[p.k] as string) : p.k);
    p.k = '';
    return;
  }
  driveRows(p, 0);
  for (let r = 0; r < rows.length; r++) {
    digitalWrite(global[rows[r]], 1);
    if (digitalRead(global[p.in.cols[c]])) {
      p.k = p.in.keys[r][c];
      p.t = e.time;
    }
    digitalWrite(global[rows[r]], 0);
  }
  driveRows(p, 1);
}

/**
 * Watches the board's buttons or keypad. The profile is read by full name
 * (__BOARD__.input...) inside each branch, so the build folds the kind, drops
 * the other branch and bundles only the part of the profile that is read.
 */
export function input(on: Press): void {
  if (__BOARD__.input.kind === 'buttons') {
    const b = __BOARD__.input.buttons;
    for (let n = 0; n < b.length; n++) {
      setWatch(onButton.bind(null, on, b[n]), global[b[n].pin], { repeat: true, edge: 'both', debounce: 30 });
    }
  } else if (__BOARD__.input.kind === 'keypad') {
    const i = __BOARD__.input;
    const p: Pad = { in: i, on: on, k: '', t: 0 };
    driveRows(p, 1);
    for (let c = 0; c < i.cols.length; c++) {
      pinMode(global[i.cols[c]], 'input_pulldown');
      setWatch(onColumn.bind(null, p, c), global[i.cols[c]], { repeat: true, edge: 'both', debounce: 20 });
    }
  }
}

function buzzOff(): void {
  digitalWrite(global[__BOARD__.buzzer as string], 0);
}

declare function analogWrite(pin: any, v: number, opts: object): void;

/** A short beep on boards with a buzzer (a passive piezo driven at 2 kHz); folds to nothing on the others. */
export function beep(): void {
  if (__BOARD__.buzzer) {
    analogWrite(global[__BOARD__.buzzer], 0.5, { freq: 2000 });
    setTimeout(buzzOff, 120);
  }
}
