// The pins of each Espruino 2v29 build the boards run, as the interpreter
// names them: read by the board-profile check (a profile may name only pins
// its board has) and by the simulator (which offers exactly these as Pin
// objects and parses pin strings as the interpreter does).
import type { BoardProfile } from './board.ts';

type Espruino = BoardProfile['espruinoBoard'];

/**
 * The pins each interpreter build knows, from its board file at RELEASE_2V29:
 * the ports and pin counts of get_pins(), and the named devices that become
 * global Pin objects (`devices`; scripts/common.py get_jsondata adds LED for
 * LED1 and BTN for BTN1).
 * boards/PIXLJS.py (and PIXLJS_WIZ.py, the same pins): D0-D13, A0-A5, H0-H9;
 * LED1 H0, BTN1-BTN4 H1-H4.
 * boards/ESP32.py: generate_pins(0,39); LED1 D2, BTN1 D0.
 * boards/LINUX.py: generate_pins(0,32), no devices.
 */
export const BOARD_PINS: Record<Espruino, { ports: Record<string, number>; devices: Record<string, string> }> = {
  PIXLJS: {
    ports: { D: 14, A: 6, H: 10 },
    devices: { LED1: 'H0', LED: 'H0', BTN1: 'H1', BTN: 'H1', BTN2: 'H2', BTN3: 'H3', BTN4: 'H4' },
  },
  ESP32: { ports: { D: 40 }, devices: { LED1: 'D2', LED: 'D2', BTN1: 'D0', BTN: 'D0' } },
  LINUX: { ports: { D: 33 }, devices: {} },
};

/**
 * src/jspin.c jshGetPinFromString (2v29), with jshGetPinFromVar's length
 * check: a port letter A-I or V, then one or two digits (three on Linux), a
 * pin the board has. Returns the canonical name ("D5" for "D05") or null.
 */
export function pinFromString(s: string, board: Espruino): string | null {
  if (s.length > 5) return null;
  const port = s.charAt(0);
  if (!((port >= 'A' && port <= 'I') || port === 'V') || s.length < 2) return null;
  const digits = s.slice(1);
  const most = board === 'LINUX' ? 3 : 2;
  if (!/^[0-9]+$/.test(digits) || digits.length > most) return null;
  const n = Number(digits);
  const count = BOARD_PINS[board].ports[port];
  return count !== undefined && n < count ? port + n : null;
}

/** Every pin the board has, by canonical name, in the board file's order (its index is the Pin's number). */
export function boardPinNames(board: Espruino): string[] {
  const out: string[] = [];
  for (const [port, count] of Object.entries(BOARD_PINS[board].ports)) for (let i = 0; i < count; i++) out.push(port + i);
  return out;
}

/** The pin names a board offers, for error messages ("D0-D13, A0-A5, H0-H9, LED1, BTN1-BTN4"). */
export function describeBoardPins(board: Espruino): string {
  const { ports, devices } = BOARD_PINS[board];
  return [...Object.entries(ports).map(([port, n]) => `${port}0-${port}${n - 1}`), ...Object.keys(devices)].join(', ');
}
