// The update messages of protocol/deskphone.proto in protobuf's wire format,
// by hand, for the recovery, which has no room for the generic codec
// (protocol/device/codec.ts with its tables is ~3 KB; the recovery and the
// boot selector have to fit beside the config in the Pixl.js's first flash
// page), and for UpdateChunk's bytes in the firmware too. Field numbers are
// the .proto's; test/protocol-update-wire.test.ts checks both against
// protobufjs. Strings are 8-bit (one char per byte), as the socket delivers
// them; the desk's own strings here (ids, reasons) are ASCII, so they are
// their own UTF-8.

declare const E: { toArrayBuffer(s: string): ArrayBuffer };

/** UpdateChunk's field numbers. */
export const enum C {
  OFFSET = 1,
  DATA = 2,
  CRC = 3,
  SIZE = 4,
  IMAGE_CRC = 5,
  VERSION = 6,
  HEALTH = 7,
  ID = 8,
}

/** UpdateOffer's field numbers. */
export const enum O {
  ID = 1,
  VERSION = 2,
  SIZE = 3,
  CRC = 4,
  HEALTH = 7,
  WINDOW = 8,
}

/**
 * A message's fields by number: varints as numbers (exact up to 2^53, by
 * arithmetic), length-delimited fields as 8-bit strings; absent ones
 * undefined. Other wire types do not occur in these messages: they end it.
 * Field `view` (a chunk's data) comes as a Uint8Array over the message's own
 * bytes instead of a copy of them: E.toArrayBuffer references the string
 * (src/jswrap_espruino.c jswrap_espruino_toArrayBuffer, RELEASE_2V29), where
 * substr would take ~100 more variables for 1 KB on a 2950-variable board.
 */
export function fields(b: string, view?: number): { [f: number]: any } {
  const o: { [f: number]: any } = {};
  let i = 0;
  const vi = (): number => {
    let v = 0;
    let m = 1;
    let c: number;
    do {
      c = b.charCodeAt(i++);
      v += (c & 127) * m;
      m *= 128;
    } while (c > 127);
    return v;
  };
  while (i < b.length) {
    const t = vi();
    const f = t >> 3;
    if (t & 7) {
      if ((t & 7) !== 2) break;
      const n = vi();
      o[f] = f === view ? new Uint8Array(E.toArrayBuffer(b), i, n) : b.substr(i, n);
      i += n;
    } else o[f] = vi();
  }
  return o;
}

/** UpdateStatus{id, state, offset, version, detail, crc32}: fields in number order, defaults left out, as protobufjs writes it. */
export function status(id: string, state: number, offset: number, version: string, detail: string, crc: number): string {
  const a = [id, state, offset, version, detail, crc];
  let o = '';
  for (let f = 0; f < 6; f++) {
    let v = a[f];
    if (!v) continue;
    const s = typeof v === 'string';
    o += String.fromCharCode(f * 8 + (s ? 10 : 8));
    if (s) {
      o += String.fromCharCode((v as string).length) + v;
      continue;
    }
    while ((v as number) > 127) {
      o += String.fromCharCode(((v as number) % 128) + 128);
      v = Math.floor((v as number) / 128);
    }
    o += String.fromCharCode(v as number);
  }
  return o;
}

/**
 * UpdateStatus{id, BUSY, detail "in a call"} for an offer, without the update
 * side (net/update.ts): in a call the firmware leaves that in its slot, whose
 * code takes more variables than a call leaves (esp32-st7789: the agent
 * evaluated costs ~135 on the 2950-variable build, a call leaves ~122). The
 * offer's run id is its field 1, which protobufjs writes first; the host keeps
 * the offset it was last told, so none is sent.
 */
export function busy(offer: string): string {
  const id = offer.charCodeAt(0) === 10 ? offer.substr(2, offer.charCodeAt(1)) : '';
  return '\x0a' + String.fromCharCode(id.length) + id + '\x10\x02\x2a\x09in a call';
}
