// Text from outside (a desk, the PBX, an admin's file) on its way to a
// terminal, a log or a store.

/**
 * C0 and C1 controls (escape sequences start with ESC or CSI) and DEL, plus
 * the Unicode bidirectional controls that reorder what a terminal shows.
 */
const CONTROL = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function hasControlCharacters(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/** The text without control characters: what a desk or a caller sent cannot clear a screen or retitle a terminal. */
export function printable(text: string): string {
  return text.replace(CONTROL, '');
}
