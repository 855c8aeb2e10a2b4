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
  /** IVR menu choice (protocol/catalogue.ts MENUS) of the current call, 0 without a call. */
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
  /** The station's latest network update (`deskphone update`), absent if it never had one. */
  update?: CardUpdate;
}

export interface CardUpdate {
  version: string;
  /** update/store.ts TargetState: waiting, sending, verified, updated, failed, ... */
  state: string;
  /** Bytes the desk acknowledged, in percent of the image; 100 once the update ended. */
  percent: number;
  detail: string;
}

/** What the counts on top of the dashboard say, over every station (not only the shown page). */
export interface CardCounts {
  /** Stations per phase name. */
  phases: Record<string, number>;
  /** Calls in progress (ringing, talking, wrap-up) per IVR menu choice. */
  topics: Record<string, number>;
}

/** One page of cards in station id order, with the counts of the whole site. */
export interface CardPage {
  /** 0-based, clamped to the pages there are. */
  page: number;
  pages: number;
  total: number;
  counts: CardCounts;
  cards: StationCard[];
}

/** Where the dashboard gets its cards from; `up` composes it from the running services. */
export interface CardSource {
  cards(): StationCard[];
  page(page: number, size: number): CardPage;
  counts(): CardCounts;
  /** Increases whenever stations are added or removed, so pages must be cut anew. */
  layout(): number;
  /** Draws these stations' displays while a dashboard shows them; returns the release. */
  watch(ids: readonly string[]): () => void;
  /** Calls back with each changed card; returns an unsubscribe function. */
  subscribe(listener: (card: StationCard) => void): () => void;
  /** Presses a key on a virtual station's module; false if the station is not virtual. */
  press(id: string, key: string): boolean;
}
