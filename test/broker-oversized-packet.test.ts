// A PUBLISH header announcing 100 MB is cut off at the header; the broker's
// memory does not grow with what the client keeps streaming.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { downFilter, downTopic } from '../protocol/topics.ts';
import { PacketSizeScanner, PacketTooLargeError, MalformedLengthError } from '../provisioner/broker/packet-guard.ts';
import { brokerWithStations, type BrokerFixture } from './helpers/broker-fixtures.ts';

const LIMIT = 64 * 1024;
const ANNOUNCED = 100 * 1024 * 1024;
let fx: BrokerFixture;

beforeAll(async () => {
  fx = await brokerWithStations(['desk-a'], { maxPacketSize: LIMIT });
});
afterAll(async () => fx.close());

function remainingLength(n: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return bytes;
}

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Streams `total` bytes after the header; resolves with how many were written before the broker hung up. */
function streamUntilClosed(socket: Socket, total: number): Promise<number> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let written = 0;
    socket.once('close', () => resolve(written));
    socket.on('error', () => {});
    const pump = () => {
      while (written < total && !socket.destroyed) {
        written += chunk.length;
        if (!socket.write(chunk)) return socket.once('drain', pump);
      }
    };
    pump();
  });
}

it('cuts a 100 MB PUBLISH at its header without buffering the stream', async () => {
  const before = memory();
  const socket = connect(fx.broker.tcpPort, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(Buffer.from([0x30, ...remainingLength(ANNOUNCED)]));
  const written = await streamUntilClosed(socket, ANNOUNCED);
  expect(written).toBeLessThan(ANNOUNCED);
  // generous: socket buffers and test allocations, far below the 100 MB announced
  expect(memory() - before).toBeLessThan(24 * 1024 * 1024);
});

it('still delivers a packet just under the limit', async () => {
  const a = await fx.station('desk-a');
  await a.subscribeAsync(downFilter('desk-a'), { qos: 1 });
  const creds = await fx.registry.serviceCredentials('svc-host');
  const host = await mqtt.connectAsync(fx.broker.url, { clientId: 'svc-host-big', ...creds, reconnectPeriod: 0 });
  const payload = Buffer.alloc(LIMIT - 100, 7);
  const got = new Promise<Buffer>((resolve) => a.once('message', (_t, p) => resolve(p)));
  await host.publishAsync(downTopic('desk-a', 'cmd'), payload, { qos: 1 });
  expect((await got).equals(payload)).toBe(true);
  await host.endAsync(true);
});

it('follows packet boundaries across chunks and rejects a 5-byte length', () => {
  const scanner = new PacketSizeScanner(10);
  // PINGREQ, then a 10-byte PUBLISH split mid-varint and mid-body, then one of 11
  scanner.scan(Uint8Array.from([0xc0, 0x00, 0x30]));
  scanner.scan(Uint8Array.from([10, 1, 2, 3]));
  scanner.scan(Uint8Array.from([4, 5, 6, 7, 8, 9, 10, 0x30]));
  expect(() => scanner.scan(Uint8Array.from([11]))).toThrow(PacketTooLargeError);
  const long = new PacketSizeScanner(Number.MAX_SAFE_INTEGER);
  expect(() => long.scan(Uint8Array.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toThrow(MalformedLengthError);
});
