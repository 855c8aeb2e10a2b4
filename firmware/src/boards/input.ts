// Input adapters: buttons and keypad become key names (the same ones DP.press
// takes), a long press its profile's long key. Linux has no input pins; keys
// arrive through DP.press on the REPL. Pins are the board's Pin objects.
import type { BoardProfile } from '../../../hardware/board.ts';

declare function setWatch(fn: (e: { state: boolean; time: number; lastTime: number }) => void, pin: any, opts: object): any;
declare function digitalWrite(pin: any, v: number): void;
declare function digitalRead(pin: any): number;
declare function pinMode(pin: any, mode: string): void;
declare function getTime(): number;
declare const __BOARD__: BoardProfile;
/** A keypad's row and column pin names, space-separated (firmware/build.ts): strings, so no array of the names outlives the setup. */
declare const __KEY_ROWS__: string;
declare const __KEY_COLS__: string;
declare const global: any;

/** Held this long (seconds, as setWatch reports time) a key sends its long-press key. */
const LONG_S = 0.6;
/** While a key is held the keypad is scanned this often (ms), to see its release and any second key. */
const POLL_MS = 40;

type Input = BoardProfile['input'];
type Keypad = Input & { kind: 'keypad' };
type Press = (key: string) => void;

interface Pad {
  on: Press;
  /** Row and column Pin objects. */
  r: any[];
  c: any[];
  /** Key held ('' none, '!' a refused chord) and since when. */
  k: string;
  t: number;
  /** The scan timer while a key is held. */
  iv: any;
}

function onButton(on: Press, b: { key: string; long?: string }, e: { state: boolean; time: number; lastTime: number }): void {
  // Pixl.js buttons read 1 while pressed: act on release, when the duration is known.
  if (e.state) return;
  on(e.time - e.lastTime >= LONG_S && b.long ? b.long : b.key);
}

/**
 * The key held now: '' for none, '!' for more than one. Rows are open-drain
 * and idle low, columns pulled up (an ESP32 setWatch turns the pull-up on
 * anyway), so a held key pulls its column low. To find its row every row is
 * released, then each pulled low alone while the columns are read. A matrix
 * without diodes shows a fourth key when three of a rectangle are held
 * (ghosting), so any reading of two or more keys is refused as a whole.
 */
function scan(p: Pad): string {
  const n = p.c.length;
  let k = '';
  digitalWrite(p.r, -1);
  for (let r = 0; r < p.r.length; r++) {
    digitalWrite(p.r[r], 0);
    const v = digitalRead(p.c);
    digitalWrite(p.r[r], 1);
    for (let c = 0; c < n; c++) if (!((v >> (n - 1 - c)) & 1)) k = k ? '!' : (__BOARD__.input as Keypad).keys[r][c];
  }
  digitalWrite(p.r, 0);
  return k;
}

/** A column fell: a key went down. Follow it until every key is up again. */
function onFall(p: Pad, e: { time: number }): void {
  if (p.iv) return;
  const k = scan(p);
  if (!k) return;
  p.k = k;
  p.t = e.time;
  p.iv = setInterval(follow, POLL_MS, p);
}

/** On release, the key (its long key if held long enough); nothing for a chord, or a key that changed under the finger. */
function follow(p: Pad): void {
  const k = scan(p);
  if (k && k !== p.k) p.k = '!';
  if (k) return;
  clearInterval(p.iv);
  p.iv = 0;
  const long = (__BOARD__.input as Keypad).long as { [k: string]: string | undefined } | undefined;
  if (p.k !== '!') p.on(getTime() - p.t >= LONG_S && long && long[p.k] ? (long[p.k] as string) : p.k);
  p.k = '';
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
    const p: Pad = { on: on, r: [], c: [], k: '', t: 0, iv: 0 };
    const rows = __KEY_ROWS__.split(' ');
    for (let r = 0; r < rows.length; r++) {
      p.r.push(global[rows[r]]);
      pinMode(p.r[r], 'opendrain');
    }
    digitalWrite(p.r, 0);
    const cols = __KEY_COLS__.split(' ');
    for (let c = 0; c < cols.length; c++) {
      p.c.push(global[cols[c]]);
      pinMode(p.c[c], 'input_pullup');
      setWatch(onFall.bind(null, p), p.c[c], { repeat: true, edge: 'falling', debounce: 20 });
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
