// What the dashboard asks of a station's display, whoever draws it: a
// virtual desk (demo/desk.ts) or a hardware desk's mirror (mirror.ts).
import type { Station } from '../registry/index.ts';
import type { Snapshot } from '../service/service.ts';
import type { Frame } from './frame.ts';

/** A station's display as seen by the dashboard (virtual desk or hardware mirror). */
export interface Screen {
  /** Language the firmware draws in (the module's config); the page's language does not change it. */
  readonly lang: string;
  /** The module has a digit keypad, so its hints name # and * (not the 4 buttons' OK). */
  readonly keypad: boolean;
  /** Looks at the display; true if it changed. */
  poll(): boolean;
  frame(): Frame | undefined;
  /** A hardware mirror redraws from the snapshot; a virtual desk gets it over MQTT itself. */
  snapshot?(snap: Snapshot): void;
  /** A hardware mirror shows the desk's link as its presence tells the host; a virtual desk has its own. */
  presence?(station: Station): void;
  /** Present on virtual desks only: the key reaches the module's firmware. */
  press?(key: string): void;
  /** Ends a display made for a dashboard (a hardware mirror) when nobody shows it any more. */
  close?(): void;
}
