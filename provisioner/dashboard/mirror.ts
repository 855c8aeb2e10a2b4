// A mirror of a hardware station's screen: the same firmware bundle for the
// station's board in the simulator, shown the station's snapshots through
// DP.post, so the dashboard draws exactly what the desk on the wall shows.
// Its link talks to a stub on loopback that acknowledges everything and sends
// nothing: the mirror must never be a second client of the real broker, yet a
// link that keeps failing would mark the screen offline on its own.
import { createServer, type Server, type Socket } from 'node:net';
import { boardNames, loadBoard } from '../../hardware/board.ts';
import { deviceConfig } from '../../protocol/device-config.ts';
import { Simulator } from '../../hardware/sim/simulator.ts';
import type { Station } from '../registry/index.ts';
import { FrameWatch, hasKeypad, type Frame } from './frame.ts';
import type { Snapshot } from '../service/service.ts';
import type { Screen } from './screen.ts';

/** MQTT 3.1.1 packet types the stub answers (spec 2.2.1). */
const CONNECT = 1;
const PUBLISH = 3;
const SUBSCRIBE = 8;
const PINGREQ = 12;

/** Answers CONNECT, SUBSCRIBE, QoS 1 PUBLISH and PINGREQ; drops the rest. */
function answer(socket: Socket, type: number, flags: number, body: Buffer): void {
  if (type === CONNECT) socket.write(Buffer.from([0x20, 2, 0, 0]));
  else if (type === SUBSCRIBE) socket.write(Buffer.from([0x90, 3, body[0], body[1], 1]));
  else if (type === PINGREQ) socket.write(Buffer.from([0xd0, 0]));
  else if (type === PUBLISH && ((flags >> 1) & 3) === 1) {
    const topicLength = body.readUInt16BE(0);
    socket.write(Buffer.from([0x40, 2, body[2 + topicLength], body[3 + topicLength]]));
  }
}

function serve(socket: Socket): void {
  let pending = Buffer.alloc(0);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      // Remaining length: up to 4 bytes of 7 bits, low first (spec 2.2.3).
      let length = 0;
      let i = 1;
      for (let shift = 0; i < pending.length && i <= 4; i++, shift += 7) {
        length += (pending[i] & 0x7f) << shift;
        if (!(pending[i] & 0x80)) break;
      }
      if (i >= pending.length || pending.length < i + 1 + length) return;
      answer(socket, pending[0] >> 4, pending[0] & 15, pending.subarray(i + 1, i + 1 + length));
      pending = pending.subarray(i + 1 + length);
    }
  });
}

export interface MirrorLinkStub {
  port: number;
  close(): Promise<void>;
}

export async function startMirrorLinkStub(): Promise<MirrorLinkStub> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The firmware's link event for a desk's link as the host knows it from its presence. */
function linkOf(station: Station): { k: string; d: string } {
  return station.online ? { k: 'online', d: station.address } : { k: 'broker', d: '' };
}

export class HardwareMirror implements Screen {
  readonly sim: Simulator;
  private readonly frames: FrameWatch;
  /** The desk's link as the host knows it; the mirror's own link to the stub never shows. */
  private link: { k: string; d: string };

  /** The host does not learn a desk's language (its flashed config), so the mirror draws the firmware's default. */
  readonly lang = 'de';

  constructor(station: Station, stubPort: number) {
    const boards = boardNames();
    const board = [station.reportedBoard, station.board].find((b) => b && boards.includes(b)) ?? 'linux';
    this.sim = new Simulator({
      board,
      storage: {},
      config: deviceConfig({
        id: station.id, board, host: '127.0.0.1', port: stubPort, pass: 'mirror', lang: this.lang,
        net: loadBoard(board).network.kind === 'wifi' ? { ssid: 'mirror', psk: 'mirror' } : undefined,
      }),
      clock: 'real',
      startTime: Date.now(),
    }).boot();
    this.frames = new FrameWatch(this.sim);
    this.link = linkOf(station);
  }

  get keypad(): boolean {
    return hasKeypad(this.sim);
  }

  snapshot(snap: Snapshot): void {
    // Same process, same clock: the snapshot's own host time may be a retained one from long ago.
    this.post({ t: 'snap', n: 0, v: { ...snap, hostTimeMs: Date.now() } });
    this.showLink();
  }

  presence(station: Station): void {
    this.link = linkOf(station);
    this.showLink();
  }

  poll(): boolean {
    this.showLink();
    return this.frames.poll();
  }

  /**
   * Puts the desk's link as the host knows it over the firmware's own: the
   * link to the stub connects by itself (the screen would say "connected"
   * with the simulator's address for a desk never seen) and may drop.
   */
  private showLink(): void {
    const shown = this.sim.state() as { ls: string; ld: string } | undefined;
    if (shown?.ls !== this.link.k || shown.ld !== this.link.d) this.post({ t: 'link', n: 0, ...this.link });
  }

  private post(event: object): void {
    try {
      (this.sim.eval('DP.post') as (event: object) => void)(event);
    } catch (err) {
      this.sim.errors.push({ message: `mirror: ${(err as Error).message}` });
    }
  }

  frame(): Frame | undefined {
    return this.frames.frame();
  }

  close(): void {
    this.sim.close();
  }
}
