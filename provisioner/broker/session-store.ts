import type { ClassicLevel } from 'classic-level';

// aedes-persistence-level keeps a client's queued and in-flight messages under
// these key prefixes followed by the URI-encoded client id and ':'. It offers
// no call that drops a whole queue (cleanSubscriptions keeps what is already
// queued, and aedes hands a queue to the next client with that id), so a
// removed station's queue is cleared by key range. Checked against 9.2.0.
const QUEUE_PREFIXES = ['outgoing:', 'outgoing-id:', 'incoming:'];

/** Deletes every message queued for or in flight from `clientId`. */
export async function dropQueuedMessages(store: ClassicLevel<string, unknown>, clientId: string): Promise<void> {
  for (const prefix of QUEUE_PREFIXES) {
    const start = `${prefix}${encodeURIComponent(clientId)}:`;
    await store.clear({ gte: start, lt: start + '\uffff' });
  }
}
