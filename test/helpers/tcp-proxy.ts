// A TCP proxy between a device and a broker that reshapes the byte stream the
// way real networks do, so the device's MQTT parser meets every case:
//   pass  - bytes as they come
//   split - broker -> device one byte per write (with a pause so the kernel
//           can't glue them back together)
//   merge - broker -> device held back and flushed as one chunk, so CONNACK
//           and the queued messages arrive in a single read
//   dup   - every QoS 1 PUBLISH broker -> device sent twice, the second time
//           with the DUP flag, as a broker does when it missed our PUBACK
//   rewrite - (any mode) each broker -> device packet through a function, e.g.
//           to tamper with an update chunk in flight
// cut() destroys every connection without a DISCONNECT: for the broker the
// device just vanished, so it publishes the last will.
import net from 'node:net';
import mqttPacket from 'mqtt-packet';

export type ProxyMode = 'pass' | 'split' | 'merge' | 'dup';

export interface TcpProxy {
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  /** Reads on the device side that carried more than one MQTT packet (merge mode proves itself with this). */
  mergedReads: number;
  /** Bytes each way, device -> broker and broker -> device. */
  bytesUp: number;
  bytesDown: number;
  cut(): void;
  close(): Promise<void>;
}

const MERGE_WINDOW_MS = 40;

export type PacketRewrite = (packet: mqttPacket.Packet) => mqttPacket.Packet;

export async function startProxy(target: { port: number; host?: string }, mode: ProxyMode = 'pass', rewrite?: PacketRewrite): Promise<TcpProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((device) => {
    proxy.accepted++;
    const broker = net.connect(target.port, target.host ?? '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [device, broker];
    pairs.add(pair);
    device.setNoDelay(true);
    broker.setNoDelay(true);
    const down = rewrite ? rewriting(device, rewrite) : downstream(device, mode, proxy);
    device.on('data', (d) => { proxy.bytesUp += d.length; broker.write(d); });
    broker.on('data', (d) => { proxy.bytesDown += d.length; down(d); });
    const end = () => { device.destroy(); broker.destroy(); pairs.delete(pair); };
    device.on('close', end);
    broker.on('close', end);
    device.on('error', end);
    broker.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: TcpProxy = {
    port: (server.address() as net.AddressInfo).port,
    accepted: 0,
    mergedReads: 0,
    bytesUp: 0,
    bytesDown: 0,
    cut() {
      for (const [d, b] of pairs) { d.destroy(); b.destroy(); }
      pairs.clear();
    },
    async close() {
      proxy.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

/** Returns the writer for broker -> device bytes in the given mode. */
function downstream(device: net.Socket, mode: ProxyMode, proxy: TcpProxy): (d: Buffer) => void {
  if (mode === 'split') {
    let chain = Promise.resolve();
    return (d) => {
      chain = chain.then(async () => {
        for (const byte of d) {
          if (device.destroyed) return;
          device.write(Buffer.from([byte]));
          await new Promise((r) => setImmediate(r));
        }
      });
    };
  }
  if (mode === 'merge') {
    let held: Buffer[] = [];
    let timer: NodeJS.Timeout | null = null;
    return (d) => {
      held.push(d);
      timer ??= setTimeout(() => {
        const all = Buffer.concat(held);
        held = [];
        timer = null;
        if (countPackets(all) > 1) proxy.mergedReads++;
        if (!device.destroyed) device.write(all);
      }, MERGE_WINDOW_MS);
    };
  }
  if (mode === 'dup') {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p) => {
      if (device.destroyed) return;
      device.write(mqttPacket.generate(p));
      if (p.cmd === 'publish' && p.qos === 1) device.write(mqttPacket.generate({ ...p, dup: true }));
    });
    return (d) => { parser.parse(d); };
  }
  return (d) => { device.write(d); };
}

function rewriting(device: net.Socket, rewrite: PacketRewrite): (d: Buffer) => void {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (p) => {
    if (!device.destroyed) device.write(mqttPacket.generate(rewrite(p)));
  });
  return (d) => { parser.parse(d); };
}

function countPackets(b: Buffer): number {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let n = 0;
  parser.on('packet', () => n++);
  parser.parse(b);
  return n;
}
