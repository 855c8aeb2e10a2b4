// The boot selector (Storage file dp.boot, run by the .bootcde stub at every
// boot): it picks the newest image that verifies and has not failed and
// leaves it in global DPB for the stub to boot, on trial until it proves
// healthy (the stub fails an image that throws while loading), falling back to
// the older one; with no image to boot (the Pixl.js's one slot being refilled,
// or its image failed) it runs the recovery, which fetches one over the
// network. docs/updates.md has the design. Written in the interpreter's subset.
import { recover } from './recovery.ts';
import { field, has, mark, slot, Sto, type Boot, type Slot } from './slot.ts';
import { Tr } from '../../../hardware/slot-trailer.ts';

declare const E: { CRC32(data: string): number; reboot(): void };
declare const global: any;
/** The board's slot names, comma-separated (defined by the firmware build from its Storage layout). */
declare const __SLOTS__: string;

/** Marks an image failed with a reason (the reason first: a cut between leaves it on trial, not failed without one). */
function fail(s: Slot, why: string): void {
  if (!field(s, Tr.WHY, '\xff')) Sto.write(s.n, why.substr(0, Tr.WHY_BYTES), s.T + Tr.WHY);
  mark(s, Tr.BAD);
}


(function () {
  const names = __SLOTS__.split(',');
  let b: Boot | null = null;
  let h = 0;
  let t = 0;
  let s: Slot | null = null;
  let rolledBack = '';
  let f: Slot | null = null;
  for (let i = 0; i < names.length; i++) {
    const x = slot(names[i]);
    // The trailer says an image verified; its bytes must still have that CRC.
    const m = x ? field(x, Tr.META, ';').split(',') : [];
    const L = +m[0];
    if (!x || !(L > 0) || E.CRC32(Sto.read(x.n, Tr.IMG, L)) !== +m[1]) continue;
    let tries = 0;
    while (tries < Tr.MAX_TRIES && has(x, Tr.TRIES + tries * 4)) tries++;
    const ok = has(x, Tr.OK);
    // Boots that never got to a healthy birth (a crash loop, a watchdog reset) fail it here.
    if (!ok && tries >= Tr.MAX_TRIES) fail(x, 'no birth in ' + tries + ' boots');
    if (has(x, Tr.BAD)) {
      // A failed image not yet reported is what this boot rolled back from.
      if (!has(x, Tr.TOLD)) {
        rolledBack = m[4] + ': ' + field(x, Tr.WHY, '\xff');
        f = x;
      }
    } else if (!b || +m[2] > b.g) {
      b = { n: x.n, L: L, c: +m[1], g: +m[2], T: x.T, ok: ok, rb: '' };
      s = x;
      h = +m[3] || 120;
      t = tries;
    }
  }
  const go = Sto.readJSON('dp.go', true);
  // An update into the only slot: the recovery receives it (unless it finished and was cut before it could say so).
  if (go && b && go.c === b.c) Sto.erase('dp.go');
  else if (go || !b || !s) return recover(slot(names[0]), rolledBack || (b ? '' : 'no firmware'));
  const x: Slot = s as Slot;
  const B: Boot = b;
  B.rb = rolledBack;
  if (f) {
    B.fn = f.n;
    B.fT = f.T;
  }
  if (!B.ok) {
    mark(x, Tr.TRIES + t * 4);
    setTimeout(() => {
      if (has(x, Tr.OK)) return;
      fail(x, 'no birth in ' + h + ' s');
      E.reboot();
    }, h * 1000);
  }
  // The stub boots the image at global scope (storage-layout.ts BOOT_STUB), so none of the selector stays in RAM beside it.
  global.DPB = B;
})();
