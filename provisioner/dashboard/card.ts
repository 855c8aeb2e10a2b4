/**
 * What the dashboard shows of one station. Built on the host from the
 * station's retained snapshot, its presence, and (for virtual stations and
 * mirrored hardware stations) the display's framebuffer.
 */
export interface StationCard {
  id: string;
  name: string;
  areas: string[];
  board: string;
  /** Phase name as in the proto enum, e.g. "WRAP_UP". */
  phase: string;
  /** IVR menu choice 1-6 of the current call, 0 without a call. */
  menu: number;
  /** Area of the current call ("WV"/"KM"), empty without a call. */
  area: string;
  /** Host-clock milliseconds. */
  wrapUpDeadlineMs: number;
  phaseSinceMs: number;
  hostTimeMs: number;
  reason: string;
  seq: number;
  online: boolean;
  firmware: string;
  /** True for desk modules simulated by this host (their keys can be clicked). */
  virtual: boolean;
  /** Language the display image is drawn in ("de"/"en"; a hardware mirror draws German), '' without one. */
  lang: string;
  /** The module has a digit keypad: its screen's hints name # (look up) and * (correct). */
  keypad: boolean;
  /** The module's display: 1 bit per pixel, rows top to bottom, MSB first, base64. */
  frame?: { w: number; h: number; bits: string };
}

/** Where the dashboard gets its cards from; `up` composes it from the running services. */
export interface CardSource {
  cards(): StationCard[];
  /** Calls back with each changed card; returns an unsubscribe function. */
  subscribe(listener: (card: StationCard) => void): () => void;
  /** Presses a key on a virtual station's module; false if the station is not virtual. */
  press(id: string, key: string): boolean;
}
