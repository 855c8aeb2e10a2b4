// The device's MQTT packet splitter and builders, checked against mqtt-packet
// (the parser/generator aedes uses) so both sides agree on every byte.
import { describe, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { connect, feed, lstr, parser, publish, puback, readId, readPublish, remLen, subscribe, utf8 } from '../firmware/src/net/packets.ts';

const latin1 = (b: Buffer | Uint8Array) => Buffer.from(b).toString('latin1');
const gen = (p: object) => latin1(mqttPacket.generate(p as mqttPacket.Packet));
const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

// What a broker sends a station right after CONNACK on a persistent session:
// queued messages, retained snapshot (payload with every byte value), acks.
const stream = [
  gen({ cmd: 'connack', returnCode: 0, sessionPresent: true }),
  gen({ cmd: 'suback', messageId: 1, granted: [1, 1] }),
  gen({ cmd: 'publish', topic: 'dp/v1/st/d1/dn/snap', payload: allBytes, qos: 1, messageId: 300, retain: true }),
  gen({ cmd: 'publish', topic: 'dp/v1/host/presence', payload: Buffer.from([8, 1]), qos: 0 }),
  gen({ cmd: 'puback', messageId: 65535 }),
  gen({ cmd: 'publish', topic: 'dp/v1/st/d1/dn/ack', payload: Buffer.alloc(20000, 7), qos: 1, messageId: 2, dup: true }),
  gen({ cmd: 'pingresp' }),
];

function collect(chunks: string[], max = 1 << 20) {
  const p = parser(max);
  const got: string[] = [];
  for (const c of chunks) {
    expect(feed(p, c, (f, body, whole) => { got.push(f + ':' + whole + ':' + body); })).toBe(true);
  }
  expect(p.b).toBe('');
  return got;
}

function expected() {
  return stream.map((s) => {
    const p = parser(1 << 20);
    let one = '';
    feed(p, s, (f, body, whole) => { one = f + ':' + whole + ':' + body; });
    return one;
  });
}

describe('packet splitter', () => {
  it('reads each packet whole, with the body mqtt-packet framed', () => {
    const got = expected();
    expect(got).toHaveLength(stream.length);
    const pub = readPublish(0x3b, got[5].split(':').slice(2).join(':'));
    expect(pub).toMatchObject({ t: 'dp/v1/st/d1/dn/ack', q: 1, dup: true, i: 2 });
    expect(pub!.d).toBe('\x07'.repeat(20000));
  });

  it('gives the same packets for the stream split at every byte position', () => {
    const all = stream.join('');
    const want = expected();
    for (let k = 0; k <= all.length; k++) {
      expect(collect([all.slice(0, k), all.slice(k)])).toEqual(want);
    }
  });

  it('gives the same packets fed one byte at a time and all merged into one chunk', () => {
    const all = stream.join('');
    expect(collect(all.split(''))).toEqual(expected());
    expect(collect([all])).toEqual(expected());
  });

  it('reports a remaining length longer than four bytes as a broken stream', () => {
    const p = parser(2048);
    const seen: number[] = [];
    expect(feed(p, '\x30\xff\xff\xff', (f) => { seen.push(f); })).toBe(true);
    expect(feed(p, '\xff\x01', (f) => { seen.push(f); })).toBe(false);
    expect(seen).toEqual([]);
  });

  it('skips an oversized packet as it streams past, keeps its head, then goes on', () => {
    const big = gen({ cmd: 'publish', topic: 'dp/v1/st/d1/dn/snap', payload: Buffer.alloc(5000, 1), qos: 1, messageId: 77 });
    const after = gen({ cmd: 'pingresp' });
    const all = big + after;
    for (const size of [1, 7, 1000, all.length]) {
      const p = parser(2048);
      const got: { f: number; body: string; whole: boolean }[] = [];
      for (let o = 0; o < all.length; o += size) feed(p, all.slice(o, o + size), (f, body, whole) => { got.push({ f, body, whole }); });
      expect(got.map((g) => g.whole)).toEqual([false, true]);
      expect(got[0].body.length).toBeLessThanOrEqual(128);
      expect(readPublish(got[0].f, got[0].body)).toMatchObject({ t: 'dp/v1/st/d1/dn/snap', i: 77, q: 1 });
      expect(got[1].f).toBe(0xd0);
      expect(p.b).toBe('');
    }
  });

  it('rejects malformed PUBLISH bodies without throwing', () => {
    expect(readPublish(0x36, '\x00\x01a\x00\x01')).toBeNull(); // QoS 3
    expect(readPublish(0x32, '\x00\x09abc')).toBeNull(); // topic longer than packet
    expect(readPublish(0x32, '\x00\x01a\x00')).toBeNull(); // packet id cut
    expect(readId('\x01')).toBe(-1);
  });
});

describe('packet builders', () => {
  const decode = (s: string) => {
    const p = mqttPacket.parser({ protocolVersion: 4 });
    const out: mqttPacket.Packet[] = [];
    p.on('packet', (x) => out.push(x));
    p.on('error', (e) => { throw e; });
    p.parse(Buffer.from(s, 'latin1'));
    return out;
  };

  it('CONNECT carries credentials, no clean session, keepalive and a retained QoS 1 will', () => {
    const will = '\x08\x00\x10\x05\xff';
    const [c] = decode(connect({ id: 'desk-1', user: 'desk-1', pass: 'pässwörd€𝄞', ka: 30, wt: lstr('dp/v1/st/desk-1/up/presence'), wm: will })) as mqttPacket.IConnectPacket[];
    expect(c).toMatchObject({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, keepalive: 30, clientId: 'desk-1', username: 'desk-1' });
    expect(c.password!.toString('utf8')).toBe('pässwörd€𝄞');
    expect(c.will).toMatchObject({ topic: 'dp/v1/st/desk-1/up/presence', qos: 1, retain: true });
    expect(latin1(c.will!.payload as Buffer)).toBe(will);
  });

  it('PUBLISH, PUBACK and SUBSCRIBE decode as sent', () => {
    const [p] = decode(publish(lstr('dp/v1/st/a/up/action'), latin1(allBytes), 513, true, false)) as mqttPacket.IPublishPacket[];
    expect(p).toMatchObject({ topic: 'dp/v1/st/a/up/action', qos: 1, dup: true, retain: false, messageId: 513 });
    expect(Buffer.compare(p.payload as Buffer, allBytes)).toBe(0);
    expect(decode(puback(513))[0]).toMatchObject({ cmd: 'puback', messageId: 513 });
    expect(decode(subscribe(9, ['dp/v1/st/a/dn/#', 'dp/v1/host/presence']))[0]).toMatchObject({
      cmd: 'subscribe', messageId: 9,
      subscriptions: [{ topic: 'dp/v1/st/a/dn/#', qos: 1 }, { topic: 'dp/v1/host/presence', qos: 1 }],
    });
  });

  it('encodes remaining lengths at the varint boundaries and text as UTF-8 bytes', () => {
    for (const n of [0, 127, 128, 16383, 16384, 2097151, 2097152, 268435455]) {
      const enc = remLen(n);
      let v = 0;
      for (let i = enc.length - 1; i >= 0; i--) v = v * 128 + (enc.charCodeAt(i) & 127);
      expect(v).toBe(n);
    }
    expect(remLen(268435455).length).toBe(4);
    expect(latin1(Buffer.from('Zählerstand €𝄞', 'utf8'))).toBe(utf8('Zählerstand €𝄞'));
  });
});
