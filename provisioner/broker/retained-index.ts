// Retained messages answered from memory. aedes-persistence-level reads every
// retained message in the store and decodes it for each filter of each
// SUBSCRIBE (retainedMessagesByPattern in asyncPersistence.js, 9.2.0), so a
// desk's connect cost grew with the number of desks and a site's first
// connect with its square (issue 18: 1,000 desks 38.8 s, 5,000 desks 892 s).
// The store stays the durable copy: this index is filled from it once at
// start, kept in step with every retained write, and walked by topic level
// for a filter, as mosquitto keeps its retained tree in memory.
import { Readable } from 'node:stream';

/** The fields aedes takes from a retained message when it delivers one (lib/handlers/subscribe.js). */
export interface RetainedPacket {
  cmd: 'publish';
  qos: 0 | 1 | 2;
  topic: string;
  payload: Buffer;
}

interface Level {
  children: Map<string, Level>;
  packet?: RetainedPacket;
}

/** The subset of aedes' persistence this wraps. */
export interface RetainedPersistence {
  storeRetained(packet: { topic: string; payload: Buffer | string; qos: number }): Promise<void>;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

export class RetainedIndex {
  private readonly root: Level = { children: new Map() };
  size = 0;

  set(packet: RetainedPacket): void {
    let level = this.root;
    for (const part of packet.topic.split('/')) {
      let next = level.children.get(part);
      if (!next) level.children.set(part, (next = { children: new Map() }));
      level = next;
    }
    if (!level.packet) this.size++;
    level.packet = packet;
  }

  delete(topic: string): void {
    const path: Level[] = [this.root];
    for (const part of topic.split('/')) {
      const next = path[path.length - 1].children.get(part);
      if (!next) return;
      path.push(next);
    }
    const leaf = path[path.length - 1];
    if (!leaf.packet) return;
    leaf.packet = undefined;
    this.size--;
    // drop the levels nothing hangs from any more, so removed desks leave no trace
    const parts = topic.split('/');
    for (let i = path.length - 1; i > 0 && !path[i].packet && path[i].children.size === 0; i--) path[i - 1].children.delete(parts[i - 1]);
  }

  /** Retained messages matching an MQTT filter (3.1.1 §4.7); wildcards never match a first level starting with '$' (§4.7.2). */
  match(filter: string): RetainedPacket[] {
    const out: RetainedPacket[] = [];
    const parts = filter.split('/');
    const walk = (level: Level, i: number, top: boolean) => {
      if (i === parts.length) {
        if (level.packet) out.push(level.packet);
        return;
      }
      const part = parts[i];
      if (part === '#') {
        // '#' also matches the parent level itself (§4.7.1.2)
        if (level.packet && !top) out.push(level.packet);
        collect(level, top);
      } else if (part === '+') {
        for (const [name, child] of level.children) if (!(top && name.startsWith('$'))) walk(child, i + 1, false);
      } else {
        const child = level.children.get(part);
        if (child) walk(child, i + 1, false);
      }
    };
    const collect = (level: Level, top: boolean) => {
      for (const [name, child] of level.children) {
        if (top && name.startsWith('$')) continue;
        if (child.packet) out.push(child.packet);
        collect(child, false);
      }
    };
    walk(this.root, 0, true);
    return out;
  }
}

/**
 * Serves `persistence`'s retained reads from an index filled from it now and
 * kept in step with its retained writes. Resolves with the index once loaded.
 */
export async function indexRetained(persistence: RetainedPersistence): Promise<RetainedIndex> {
  const index = new RetainedIndex();
  for await (const p of persistence.createRetainedStream('#') as AsyncIterable<RetainedPacket>) {
    index.set({ cmd: 'publish', qos: p.qos, topic: p.topic, payload: Buffer.from(p.payload) });
  }
  const store = persistence.storeRetained.bind(persistence);
  persistence.storeRetained = (packet) => {
    // In memory at once: a SUBSCRIBE racing the write gets what the publisher just sent, as it would from a live delivery.
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (payload.length === 0) index.delete(packet.topic);
    else index.set({ cmd: 'publish', qos: packet.qos as RetainedPacket['qos'], topic: packet.topic, payload });
    return store(packet);
  };
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(patterns.flatMap((pattern) => index.match(pattern)));
  persistence.createRetainedStream = (pattern) => Readable.from(index.match(pattern));
  return index;
}
