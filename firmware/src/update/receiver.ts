// The recovery, second stage (firmware/dist/<board>.rec.js): sent by the host
// as RecoveryCode when the first stage (update/recovery.ts) asks, it tells the
// host where the desk stands (UpdateStatus RECOVERY with the offset it needs
// and why it has no firmware, again every 30 s while no chunk comes), writes
// the chunks into the slot and reboots into the image. It sets global DPR for
// the first stage. Written in the interpreter's subset.
import { begin, chunk, seal, type Rx } from './receive.ts';
import type { Recovery, Stage2 } from './recovery.ts';
import { field, Sto } from './slot.ts';
import { Tr } from '../../../hardware/slot-trailer.ts';
import { UpdateState as St } from '../../../protocol/device/enums.generated.ts';
import { C, fields, status } from './wire.ts';

declare const global: any;
declare const E: { reboot(): void };

global.DPR = function (x: Recovery): Stage2 {
  const s = x.s;
  let id = (Sto.readJSON('dp.go', true) || {}).i || '';
  // A transfer the slot was claimed for (receive.ts) goes on where it stopped; once sealed, its record is the image
  // the slot holds, and the next update starts from byte 0 (else the host hears an offset of the earlier image).
  const p = field(s, Tr.META, ';') ? [] : field(s, Tr.PEND, ';').split(',');
  let rx: Rx | null = p[1] ? begin(s, +p[0], +p[1]) : null;
  let quiet = 0;
  const st = (a: [number, number, string]) => x.pub(status(id, a[0], a[1], '', a[2], rx ? rx.c : 0));
  const hello = () => st([St.RECOVERY, rx ? rx.at : 0, x.why]);
  hello();
  return {
    c: (m: string) => {
      const f = fields(m, C.DATA);
      quiet = 0;
      const L = f[C.SIZE];
      const c = f[C.IMAGE_CRC] || 0;
      id = f[C.ID] || id;
      // A chunk that names no image the slot can hold must not make it erase the old one.
      if (!(L > 0 && L <= s.T - Tr.IMG)) return st([St.FAILED, rx ? rx.at : 0, 'image size']);
      if (!rx || rx.L !== L || rx.c !== c) rx = begin(s, L, c);
      const a = chunk(rx, f[C.OFFSET] || 0, f[C.DATA] || '', f[C.CRC]);
      x.say(Math.floor((100 * rx.at) / L) + '%');
      if (a[0] === St.VERIFIED) {
        seal(rx, 1, f[C.HEALTH] || 0, f[C.VERSION] || '');
        Sto.erase('dp.go');
        setTimeout(E.reboot, 500);
      }
      st(a);
    },
    // The host hears again where the desk stands after 30 s without a chunk (it restarted, or a status went missing).
    t: () => {
      if (++quiet > 1) hello();
    },
  };
};
