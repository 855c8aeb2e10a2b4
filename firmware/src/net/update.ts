// The firmware's side of a network update (docs/updates.md): answers an
// offer, receives the image into the other slot while the desk keeps working
// (two-slot boards) or hands over to the recovery (one slot: the Pixl.js),
// and marks the running image healthy once its birth reached the broker. Only while the desk is free: a call that arrives
// stops the transfer, which the host resumes later at the same offset. The
// messages are coded by hand (update/wire.ts): the generic codec's tables for
// them would cost variables on every board while no update runs. Written in
// the interpreter's subset.
import { Phase, UpdateState as St } from '../../../protocol/device/enums.generated.ts';
import { begin, chunk, resumeAt, seal, type Rx } from '../update/receive.ts';
import { slot, Sto, type Boot } from '../update/slot.ts';
import { Tr } from '../../../hardware/slot-trailer.ts';
import { C, fields, O, status } from '../update/wire.ts';

declare const global: any;
declare const E: { reboot(): void };
declare const __FW_VERSION__: string;
/** The board's slot names, comma-separated, and its second slot's or '' (firmware build, hardware/storage-layout.ts). */
declare const __SLOTS__: string;
declare const __SLOT_B__: string;


/** The transfer in progress; the offer's run id, maintenance window, version and health seconds. */
const u: { rx: Rx | null; id: string; w: boolean; v: string; h: number } = { rx: null, id: '', w: false, v: '', h: 0 };

/** Free to update: signed out, available or not yet told; paused too inside the window. Never in a call. */
function free(phase: number): boolean {
  return phase === 0 || phase === Phase.SIGNED_OUT || phase === Phase.AVAILABLE || (u.w && phase === Phase.PAUSED);
}

/**
 * An offer or chunk message. `say` sends an UpdateStatus, `show` the progress
 * in percent (-1: none) to the screen. Returns whether a transfer goes on
 * (else the firmware lets go of this code; an offer later resumes from the
 * bytes in the slot).
 */
export function onUpdate(kind: string, data: string, phase: number, say: (b: string) => void, show: (pct: number) => void): boolean {
  const B: Boot | undefined = global.DPB;
  const reply = (a: [number, number, string]) => {
    say(status(u.id, a[0], a[1], __FW_VERSION__, a[2], u.rx ? u.rx.c : B ? B.c : 0));
    return a[0] === St.READY || a[0] === St.RECEIVING;
  };
  const f = fields(data, kind === 'chunk' ? C.DATA : 0);
  // One slot (a bundle keeps only this: the build defines __SLOT_B__ as ''): the boot selector runs the recovery for dp.go, which receives the image.
  // (an else, not an early return: esbuild drops a dead else with the imports only it uses).
  if (!__SLOT_B__) return kind === 'offer' && handOver(f, phase, B, reply);
  else {
    if (kind === 'offer') {
      u.id = f[O.ID] || '';
      u.w = !!f[O.WINDOW];
      const size = f[O.SIZE];
      const crc = f[O.CRC];
      if (!B) return reply([St.FAILED, 0, 'old layout: run deskphone flash']);
      if (crc === B.c) return reply([St.CURRENT, 0, '']);
      const n = __SLOTS__.split(',');
      const s = slot(B.n === n[0] ? n[1] : n[0]);
      // A transfer under way keeps its offset: the host resumes there once the desk is free.
      if (!free(phase)) return reply([St.BUSY, s ? Math.max(0, resumeAt(s, size, crc)) : 0, 'in a call']);
      if (!s || !(size > 0) || size > s.T - Tr.IMG) return reply([St.FAILED, 0, s ? 'image size' : 'no second slot']);
      // The same image again (after a call, or a status that went missing) goes on from where it is.
      if (!u.rx || u.rx.c !== crc || u.rx.L !== size) u.rx = begin(s, size, crc);
      u.v = f[O.VERSION] || '';
      u.h = f[O.HEALTH] || 0;
      show(Math.floor((100 * u.rx.at) / size));
      return reply([St.READY, u.rx.at, '']);
    }
    const rx = u.rx;
    if (!rx || !B) return false;
    if (!free(phase)) {
      show(-1);
      return reply([St.BUSY, rx.at, 'in a call']);
    }
    const a = chunk(rx, f[C.OFFSET] || 0, f[C.DATA] || '', f[C.CRC]);
    if (a[0] === St.VERIFIED) {
      seal(rx, B.g + 1, f[C.HEALTH] || u.h, f[C.VERSION] || u.v);
      setTimeout(E.reboot, 1000);
    }
    if (a[0] === St.VERIFIED || a[0] === St.FAILED) u.rx = null;
    show(u.rx ? Math.floor((100 * rx.at) / rx.L) : -1);
    return reply(a);
  }
}

/** An offer on a one-slot board: dp.go names the image, REBOOTING, and the recovery takes over. */
function handOver(f: { [n: number]: any }, phase: number, B: Boot | undefined, reply: (a: [number, number, string]) => boolean): boolean {
  u.id = f[O.ID] || '';
  if (!B) return reply([St.FAILED, 0, 'old layout: run deskphone flash']);
  if (f[O.CRC] === B.c) return reply([St.CURRENT, 0, '']);
  if (!free(phase)) return reply([St.BUSY, 0, 'in a call']);
  Sto.writeJSON('dp.go', { c: f[O.CRC], i: u.id });
  reply([St.REBOOTING, 0, '']);
  setTimeout(E.reboot, 1000);
  return false;
}

/**
 * After a birth reached the broker (main.ts born, which marks the image
 * healthy itself), a boot that rolled back says so once, as an UpdateStatus
 * FAILED naming the image it fell back from and why, and marks that told in
 * the failed slot (a birth field would cost variables on every board all the
 * time; this costs them once).
 */
export function healthy(say: (b: string) => void): void {
  const B: Boot | undefined = global.DPB;
  if (!B || !B.fn) return;
  say(status('', St.FAILED, 0, __FW_VERSION__, 'rolled back from ' + B.rb, B.c));
  Sto.write(B.fn, '\0\0\0\0', (B.fT as number) + Tr.TOLD);
  B.fn = '';
}
