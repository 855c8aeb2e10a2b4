// aedes hands incoming bytes to mqtt-packet, which buffers a whole packet
// before parsing it and has no size limit of its own: a PUBLISH announcing
// 100 MB grows the broker by 100 MB. This guard sits between the socket and
// aedes, reads only each packet's fixed header (type byte + "remaining length"
// varint, MQTT 3.1.1 section 2.2.3) as the bytes pass, and destroys the
// connection as soon as a header announces more than the limit.

import { Duplex } from 'node:stream';

export class PacketTooLargeError extends Error {
  constructor(
    readonly announced: number,
    readonly limit: number,
  ) {
    super(`packet announces ${announced} bytes, limit is ${limit}`);
  }
}

export class MalformedLengthError extends Error {
  constructor() {
    super('remaining length longer than 4 bytes [MQTT-2.2.3]');
  }
}

/** Tracks packet boundaries across chunks without keeping any payload. */
export class PacketSizeScanner {
  // 'type': next byte starts a packet; 'length': inside the varint; 'body': skipping payload
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(readonly limit: number) {}

  /** Throws PacketTooLargeError / MalformedLengthError on the first bad header in `chunk`. */
  scan(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skip;
        i += skip;
        if (this.remaining === 0) this.state = 'type';
        continue;
      }
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        i++;
        continue;
      }
      const byte = chunk[i++];
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (this.length > this.limit) throw new PacketTooLargeError(this.length, this.limit);
      if (byte & 0x80) {
        if (this.lengthBytes === 4) throw new MalformedLengthError();
        continue;
      }
      this.remaining = this.length;
      this.state = this.remaining === 0 ? 'type' : 'body';
    }
  }
}

/**
 * Wraps a connection (TCP/TLS socket or WebSocket stream) for `aedes.handle`.
 * Writes pass straight through; reads are scanned first. `onReject` hears
 * why a connection was cut.
 */
export function guardConnection(conn: Duplex, limit: number, onReject: (err: Error) => void): Duplex {
  const scanner = new PacketSizeScanner(limit);
  const guarded: Duplex = new Duplex({
    read() {
      conn.resume();
    },
    write(chunk, _encoding, callback) {
      conn.write(chunk, callback);
    },
    // mqtt-packet writes a packet as several small chunks inside cork(); handing
    // them on one by one would send tiny TCP segments and meet Nagle's
    // algorithm and delayed ACKs (~40 ms per message)
    writev(chunks, callback) {
      conn.cork();
      chunks.forEach(({ chunk }, i) => conn.write(chunk, i === chunks.length - 1 ? callback : undefined));
      conn.uncork();
    },
    final(callback) {
      conn.end();
      callback();
    },
    destroy(err, callback) {
      conn.destroy();
      callback(err);
    },
  });
  conn.on('data', (chunk: Buffer) => {
    try {
      scanner.scan(chunk);
    } catch (err) {
      onReject(err as Error);
      conn.destroy();
      guarded.destroy();
      return;
    }
    if (!guarded.push(chunk)) conn.pause();
  });
  conn.on('end', () => guarded.push(null));
  conn.on('close', () => guarded.destroy());
  conn.on('error', (err) => guarded.destroy(err));
  // aedes reads the peer address off its stream for logs and $SYS
  for (const key of ['remoteAddress', 'remotePort'] as const) {
    Object.defineProperty(guarded, key, { get: () => (conn as unknown as Record<string, unknown>)[key] });
  }
  return guarded;
}
