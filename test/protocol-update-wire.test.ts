// The device's hand-coded update messages (firmware/src/update/wire.ts) read
// and write what the host's protobufjs codec does: UpdateOffer and
// UpdateChunk fields as the desk reads them, UpdateStatus as the desk writes
// it, and the BUSY the firmware sends for an offer in a call without its
// update side. Strings are 8-bit on the desk: one char per byte.
import { expect, it } from 'vitest';
import { decodeMessage, encodeMessage, UpdateState } from '../protocol/host-codec.ts';
import { busy, C, fields, O, status } from '../firmware/src/update/wire.ts';

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const bytes = (s: string) => Buffer.from(s, 'latin1');
const RUN = 'u20261203102500-1a2b3c4d-9f0e';

it('reads an offer and a chunk as protobufjs writes them', () => {
  const offer = fields(latin1(encodeMessage('UpdateOffer', { id: RUN, version: '9.9.9', size: 30_533, crc32: 0xfedcba98, sha256: 'ab'.repeat(32), chunkSize: 1024, healthS: 120, window: true })));
  expect([offer[O.ID], offer[O.VERSION], offer[O.SIZE], offer[O.CRC], offer[O.HEALTH], offer[O.WINDOW]]).toEqual([RUN, '9.9.9', 30_533, 0xfedcba98, 120, 1]);
  const data = Buffer.from([0, 0xff, 0x80, 10, 13]);
  const chunk = fields(latin1(encodeMessage('UpdateChunk', { offset: 29_696, data, crc32: 0x80000001, size: 30_533, imageCrc32: 0xffffffff, version: '9.9.9', healthS: 30, id: RUN })));
  expect([chunk[C.OFFSET], bytes(chunk[C.DATA]), chunk[C.CRC], chunk[C.SIZE], chunk[C.IMAGE_CRC], chunk[C.VERSION], chunk[C.HEALTH], chunk[C.ID]]).toEqual([29_696, data, 0x80000001, 30_533, 0xffffffff, '9.9.9', 30, RUN]);
});

it('writes an UpdateStatus protobufjs reads, defaults left out', () => {
  expect(decodeMessage('UpdateStatus', bytes(status(RUN, UpdateState.RECEIVING, 70_000, '1.2.3', 'rewind', 0xfedcba98)))).toMatchObject({ id: RUN, state: UpdateState.RECEIVING, offset: 70_000, version: '1.2.3', detail: 'rewind', crc32: 0xfedcba98 });
  expect(status('', UpdateState.FAILED, 0, '', '', 0)).toBe('\x10\x06');
});

it('answers an offer BUSY with its run id, and with none for an offer without one', () => {
  const offer = latin1(encodeMessage('UpdateOffer', { id: RUN, version: '9.9.9', size: 100, crc32: 7, chunkSize: 1024, healthS: 120 }));
  expect(decodeMessage('UpdateStatus', bytes(busy(offer)))).toMatchObject({ id: RUN, state: UpdateState.BUSY, offset: 0, detail: 'in a call' });
  expect(decodeMessage('UpdateStatus', bytes(busy(latin1(encodeMessage('UpdateOffer', { version: '9.9.9', size: 100 })))))).toMatchObject({ id: '', state: UpdateState.BUSY });
});
