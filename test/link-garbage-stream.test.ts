// A broker (scripted here) that sends the station malformed, oversized and
// unexpected packets. Payload garbage is the app's to decode and passes
// through; broken packets are counted, never fatal; an oversized PUBLISH is
// skipped but acknowledged so it is not redelivered forever; a stream that
// can't be framed any more costs a reconnect. The count shows up in the next
// birth.
import { afterEach, expect, it } from 'vitest';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { decode } from '../protocol/device/codec.ts';
import { Presence } from '../protocol/device/tables.generated.ts';
import { downTopic, upTopic } from '../protocol/topics.ts';
import { createLink, maxPacket } from '../firmware/src/net/link.ts';
import { recorder, scriptedBroker, testIo, until, wire } from './helpers/link-io.ts';

const ID = 'desk-junk';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

const snap = (messageId: number, payload: Buffer) => wire({ cmd: 'publish', topic: downTopic(ID, 'snap'), qos: 1, messageId, payload });

it('keeps running through garbage, counts it and reports it in the next birth', async () => {
  const broker = await scriptedBroker((conn, p) => {
    if (p.cmd === 'connect') {
      conn.send(wire({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
      if (broker.conns.length > 1) return;
      conn.send([
        snap(1, Buffer.from([0xff, 0xff, 0xff, 0x00, 0x13])), // garbage payload: the app's business
        '\x36\x07\x00\x01x\x00\x02ab', // QoS 3 PUBLISH
        '\x32\x05\x00\x09abc', // topic longer than the packet
        snap(2, Buffer.alloc(maxPacket(linux) + 100, 0x41)), // oversized
        '\x60\x02\x00\x05', // PUBREL: a broker never sends it to a QoS 1 client
      ].join(''));
    }
  });
  cleanups.push(() => broker.close());
  const rec = recorder();
  const cfg = { v: 1, id: ID, board: 'linux', host: '127.0.0.1', port: broker.port, pass: 'x', lang: 'de' as const, digits: 12 };
  const link = createLink(cfg, linux, rec.handlers, testIo());
  cleanups.push(() => link.stop());

  // The PUBREL is not MQTT a client can follow: the link reconnects.
  await until(() => broker.conns.length === 2, 'reconnect after the unexpected packet');
  const first = broker.conns[0];
  expect(rec.msgs).toEqual([{ kind: 'snap', data: '\xff\xff\xff\x00\x13' }]);
  // Both QoS 1 messages acknowledged, the oversized one included.
  expect(first.packets.filter((p) => p.cmd === 'puback').map((p) => (p as { messageId: number }).messageId)).toEqual([1, 2]);
  expect(rec.states).toContain('broker bad packet');

  // Now a stream that can't be framed: a remaining length of five bytes.
  await until(() => broker.conns[1].packets.some((p) => p.cmd === 'publish'), 'second birth');
  broker.conns[1].send(wire({ cmd: 'pingresp' }) + '\x30\xff\xff\xff\xff\x01');
  await until(() => broker.conns.length === 3 && broker.conns[2].packets.some((p) => p.cmd === 'publish'), 'third birth');
  expect(rec.states).toContain('broker bad stream');

  const births = broker.conns.map((c) => c.packets.find((p) => p.cmd === 'publish' && p.topic === upTopic(ID, 'presence')) as { payload: Buffer; retain: boolean });
  const errors = births.map((b) => (decode(Presence, b.payload) as { birth: { errors: number } }).birth.errors);
  // QoS 3, short topic, oversized, PUBREL = 4; then the broken length = 5.
  expect(errors).toEqual([0, 4, 5]);
  expect(births.every((b) => b.retain)).toBe(true);
  link.fault();
  expect(link.stats().errors).toBe(6);
});
