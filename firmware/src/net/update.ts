// The firmware's side of a network update (docs/updates.md): answers an
// offer, receives the image into the other slot while the desk keeps working
// (boards with two slots), or hands over to the recovery (one slot); marks the
// running image healthy once its birth reached the broker. Only while the desk
// is free: a call that arrives stops the transfer, which the host resumes
// later at the same offset. Written in the interpreter's subset.
import { decode, encode } from '../../../protocol/device/codec.ts';
import { UpdateOffer, UpdateStatus } from '../../../protocol/device/tables.generated.ts';
import { Phase, UpdateState as St } from '../../../protocol/device/enums.generated.ts';
import { begin, chunk, seal, type Rx } from '../update/receive.ts';
import { slot, Sto, Tr } from '../update/slot.ts';
import { C, fields } from '../update/wire.ts';

declare const global: any;
declare const E: { reboot(): void };
declare const __FW_VERSION__: string;
/** The board's slot names, comma-separated, and its second slot's name or '' (firmware build, hardware/storage-layout.ts). */
declare const __SLOTS__: string;
declare const __SLOT_B__: string;

/** The running image as the boot selector left it (update/boot.ts Boot); absent when booted without it. */
interface Booted {
  n: string;
  c: number;
  g: number;
  T: number;
  ok: boolean;
  rb: string;
}

/** The transfer in progress (two-slot boards); the offer's run id, maintenance window, version and health seconds. */
const u: { rx: Rx | null; id: string; w: boolean; v: string; h: number } = { rx: null, id: '', w: false, v: '', h: 0 };

/** Free to update: signed out, available or not yet told; paused too inside the window. Never in a call. */
function free(phase: number): boolean {
  return phase === 0 || phase === Phase.SIGNED_OUT || phase === Phase.AVAILABLE || (u.w && phase === Phase.PAUSED);
}

/**
 * An offer or chunk message. `say` sends an UpdateStatus, `show` the progress
 * in percent (-1: none) to the screen.
 */
export function onUpdate(kind: string, data: string, phase: number, say: (b: Uint8Array) => void, show: (pct: number) => void): void {
  const B: Booted | undefined = global.DPB;
  const reply = (a: [number, number, string]) => say(encode(UpdateStatus, { id: u.id, state: a[0], offset: a[1], version: __FW_VERSION__, detail: a[2], crc32: u.rx ? u.rx.c : B ? B.c : 0 }));
  if (kind === 'offer') {
    const o = decode(UpdateOffer, data);
    if (typeof o === 'string') return;
    u.id = o.id;
    u.w = o.window;
    if (!B) return reply([St.FAILED, 0, 'no slots: run deskphone flash once']);
    if (o.crc32 === B.c) return reply([St.CURRENT, 0, '']);
    // A transfer under way keeps its offset: the host resumes there once the desk is free.
    if (!free(phase)) return reply([St.BUSY, u.rx && u.rx.c === o.crc32 ? u.rx.at : 0, 'in a call']);
    // Each bundle keeps one branch: the build defines __SLOT_B__ as '' on one-slot boards.
    if (__SLOT_B__) {
      const a = __SLOTS__.split(',')[0];
      const s = slot(B.n === a ? __SLOT_B__ : a);
      if (!s || o.size > s.T - Tr.IMG) return reply([St.FAILED, 0, s ? 'image larger than the slot' : 'no second slot']);
      u.rx = begin(s, o.size, o.crc32);
      u.v = o.version;
      u.h = o.healthS;
      show(Math.floor((100 * u.rx.at) / o.size));
      return reply([St.READY, u.rx.at, '']);
    }
    // One slot: the boot selector starts the recovery, which receives the image.
    Sto.writeJSON('dp.go', { c: o.crc32, i: u.id });
    reply([St.REBOOTING, 0, '']);
    setTimeout(E.reboot, 1000);
    return;
  }
  const rx = u.rx;
  if (__SLOT_B__ && rx && B) {
    if (!free(phase)) {
      show(-1);
      return reply([St.BUSY, rx.at, 'in a call']);
    }
    const f = fields(data);
    const a = chunk(rx, f[C.OFFSET] || 0, f[C.DATA] || '', f[C.CRC]);
    if (a[0] === St.VERIFIED) {
      seal(rx, B.g + 1, f[C.HEALTH] || u.h, f[C.VERSION] || u.v);
      setTimeout(E.reboot, 1000);
    }
    if (a[0] === St.VERIFIED || a[0] === St.FAILED) u.rx = null;
    show(u.rx ? Math.floor((100 * rx.at) / rx.L) : -1);
    reply(a);
  }
}

/**
 * The broker has this connection's birth: the image proved itself, and the
 * boot selector stops counting its tries. A boot that rolled back says so once,
 * as an UpdateStatus FAILED naming the image it fell back from and why (a
 * birth field would cost variables on every board all the time; this costs
 * them once).
 */
export function healthy(say: (b: Uint8Array) => void): void {
  const B: Booted | undefined = global.DPB;
  if (!B) return;
  if (!B.ok) {
    Sto.write(B.n, '\0\0\0\0', B.T + Tr.OK);
    B.ok = true;
  }
  if (B.rb) say(encode(UpdateStatus, { id: '', state: St.FAILED, offset: 0, version: __FW_VERSION__, detail: 'rolled back from ' + B.rb, crc32: B.c }));
  B.rb = '';
}
