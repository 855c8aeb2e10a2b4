// The recovery, first stage: what a desk runs instead of a firmware when the
// boot selector finds an update to receive into its only slot (the Pixl.js:
// dp.go, written by the firmware when it accepted an offer) or no image to
// boot. It lives with the selector in dp.boot, which on the Pixl.js shares the
// first Storage page with the stub and the config and is stored
// heatshrink-compressed (docs/updates.md: the whole recovery does not fit
// there), so it only brings the network up as the firmware does, connects with
// the station's own credentials and asks the host for the second stage
// (RecoveryCode on dn/rec: update/receiver.ts, built for the board), which
// receives the image. Its MQTT is the least that works: a clean session, QoS 0
// subscriptions to dn/rec and dn/chunk, QoS 0 publishes, PINGREQ every 15 s,
// and dialling again whenever the connection ends. An update that never comes
// (the host gone for good after the desk restarted into its recovery) does
// not keep the desk from its calls: while the slot still holds the old image,
// the recovery gives up after 10 minutes without a second stage and boots it.
// Written in the interpreter's subset.
import type { BoardProfile } from '../../../hardware/board.ts';
import { downTopic, upTopic } from '../../../protocol/topics.ts';
import { display } from '../boards/display.ts';
import { netUp, type Net } from '../net/netup.ts';
import { Sto, type Slot } from './slot.ts';

declare function require(name: string): any;
declare const global: any;
declare const __BOARD__: BoardProfile;
declare const __NET__: string;
declare const E: { reboot(): void };

/** UpdateStatus{state: RECOVERY, detail: "code"}: asks the host for the second stage. */
const ASK = '\x10\x07\x2a\x04code';
/** Asks (one every 15 s) before a recovery whose slot still holds the old image gives up: 10 minutes. */
const ASKS_BEFORE_GIVING_UP = 40;

const chr = String.fromCharCode;
/** MQTT length-prefixed string (§1.5.3); a packet (§2.2) with a body under 16 KB. */
const ls = (x: string) => chr(x.length >> 8, x.length & 255) + x;
const pk = (type: number, b: string) => chr(type) + (b.length > 127 ? chr((b.length & 127) | 128, b.length >> 7) : chr(b.length)) + b;

/** The second stage's side: a chunk message, and the idle tick (every 15 s). */
export interface Stage2 {
  c(m: string): void;
  t(): void;
}

/** What the second stage gets: publish an UpdateStatus, show a line, the slot, why the recovery runs. */
export interface Recovery {
  pub(b: string): void;
  say(t: string): void;
  s: Slot;
  why: string;
}

/** Runs the recovery for slot `s`; `why` is what the host hears, '' when the slot holds a bootable image (the selector ran this for dp.go). */
export function recover(s: Slot | null, why: string): void {
  const c = Sto.readJSON('deskphone.json', true);
  // The board's display, in the interpreter's own font: the firmware's is not here.
  const G: any = display();
  const say = (t: string) => {
    G.clear();
    G.setFont('4x6', 2);
    G.drawString('Update ' + t + '\n' + (c && c.id), 2, 2);
    if (G.flip) G.flip();
  };
  say('');
  if (!c || !s) return;
  const n: Net = { k: __NET__, p: __BOARD__.network as Net['p'], mod: require, d: null, a: '', r: 0, u: 0, t: 0, g: 0 };
  let k: any = null;
  let b = '';
  let two: Stage2 | null = null;
  const pub = (m: string) => k && k.write(pk(0x30, ls(upTopic(c.id, 'update')) + m));
  const rx: Recovery = { pub: pub, say: say, s: s, why: why };
  const dial = () =>
    netUp(n, c, { state: () => {} }, (step: string) => {
      if (step) return setTimeout(dial, 5000);
      const sock = require('net').connect({ host: c.host, port: c.port }, () => {
        // CONNECT: level 4, user + password + clean session, keepalive 60 s.
        sock.write(pk(0x10, ls('MQTT') + '\x04\xc2\0\x3c' + ls(c.id) + ls(c.id) + ls(c.pass)));
      });
      k = sock;
      sock.on('data', (d: string) => {
        b += d;
        // Whole packets: first byte, remaining length (2 bytes at most here), body.
        while (b.length > 1) {
          const l2 = b.charCodeAt(1) > 127;
          const len = (b.charCodeAt(1) & 127) + (l2 ? b.charCodeAt(2) * 128 : 0);
          const h = l2 ? 3 : 2;
          if (b.length < h + len) return;
          const t = b.charCodeAt(0) >> 4;
          const m = b.substr(h, len);
          b = b.substr(h + len);
          if (t === 2) {
            sock.write(pk(0x82, '\0\x01' + ls(downTopic(c.id, 'rec')) + '\0' + ls(downTopic(c.id, 'chunk')) + '\0'));
            if (two) two.t();
            else pub(ASK);
          } else if (t === 3) {
            // PUBLISH at QoS 0: topic, then the message.
            const tl = m.charCodeAt(0) * 256 + m.charCodeAt(1);
            const p = m.substr(2 + tl);
            if (m.substr(tl - 1, 3) !== 'rec') {
              if (two) two.c(p);
            } else if (!two) {
              // RecoveryCode{code}: the length varint (two bytes for code over 127 bytes), then the code. Asked twice, sent twice: run once.
              global.eval(p.substr(p.charCodeAt(1) > 127 ? 3 : 2));
              two = global.DPR(rx);
            }
          }
        }
      });
      sock.on('close', () => {
        k = null;
        b = '';
        setTimeout(dial, 3000);
      });
    });
  let asks = 0;
  setInterval(() => {
    if (k) k.write('\xc0\0');
    if (two) return two.t();
    if (!why && ++asks > ASKS_BEFORE_GIVING_UP) {
      Sto.erase('dp.go');
      E.reboot();
    }
    pub(ASK);
  }, 15000);
  dial();
}
