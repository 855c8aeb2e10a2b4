import AsyncLevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
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

/** What aedes hands outgoingUpdate: a stored QoS 1 packet about to be (re)sent with a new message id. */
interface OutgoingPacket {
  cmd: string;
  brokerId?: string;
  brokerCounter?: number;
  messageId?: number;
}

/** Settles as `work` does, but not before `previous` has settled: work runs at once, its outcome is told in order. */
function after<T>(previous: Promise<unknown>, work: Promise<T>): Promise<T> {
  return previous.then(
    () => work,
    () => work,
  );
}

/**
 * aedes-persistence-level with two differences.
 *
 * Order (MQTT 3.1.1 §4.6, [MQTT-4.6.0-6]: the messages of one topic and QoS
 * reach a subscriber in the order a client sent them). aedes 1.2.0 handles
 * the packets of one TCP read concurrently (lib/client.js enqueue), and a
 * QoS 1 message passes two LevelDB writes before it is written to a
 * persistent session's socket: outgoingEnqueueCombi before it is emitted
 * (aedes.js enqueueOffline), outgoingUpdate before the write (lib/client.js
 * deliverQoS). LevelDB completes them in any order, so messages overtook
 * each other (seen: an update's chunks reached a desk out of order; the desk
 * asked again for each one it could not place, and its answers tripped the
 * broker's publish rate limit for it). Both calls still run at once, but
 * each tells its outcome only after the one called before it: enqueues in
 * the order the broker numbered the messages, updates per client in the
 * order aedes delivers them.
 *
 * A queued packet that vanished while aedes was about to send it again is
 * stored again and sent, instead of failing the connection. When a client
 * connects, aedes (lib/handlers/connect.js emptyQueue) reads the session's
 * queue from a LevelDB snapshot and, per packet, calls outgoingUpdate and
 * then writes it. A connection of the same client id just before (a desk
 * that dialled again within a second, or that acknowledged a chunk as the
 * power went) may acknowledge or clear that packet after the snapshot was
 * taken; 9.2.0's #updateWithBrokerData then throws "no such packet", aedes
 * emits it as a client error and closes the new connection, and the desk has
 * to dial again (seen: a desk reconnecting after a power cut mid-update, and
 * the update power-cut test under load). Sending the packet once more is what
 * QoS 1 allows (at least once); every receiver here takes a repeated message
 * idempotently, and the desk's acknowledgement then clears it.
 */
export class SessionPersistence extends AsyncLevelPersistence {
  #lastEnqueue: Promise<unknown> = Promise.resolve();
  readonly #lastUpdate = new Map<string, Promise<unknown>>();

  override outgoingEnqueueCombi(subs: unknown[], packet: object): Promise<unknown> {
    const done = after(this.#lastEnqueue, super.outgoingEnqueueCombi(subs, packet));
    this.#lastEnqueue = done.catch(() => undefined);
    return done;
  }

  override outgoingUpdate(client: { id: string }, packet: OutgoingPacket): Promise<void> {
    const done = after(this.#lastUpdate.get(client.id) ?? Promise.resolve(), this.updateOrRestore(client, packet));
    const settled = done.catch(() => undefined);
    this.#lastUpdate.set(client.id, settled);
    void settled.then(() => {
      if (this.#lastUpdate.get(client.id) === settled) this.#lastUpdate.delete(client.id);
    });
    return done;
  }

  private async updateOrRestore(client: { id: string }, packet: OutgoingPacket): Promise<void> {
    try {
      await super.outgoingUpdate(client, packet);
    } catch (err) {
      // Without brokerId the packet is looked up by message id (a QoS 2 PUBREC): nothing to store again.
      if (!packet.brokerId || (err as Error).message !== 'no such packet') throw err;
      await this.outgoingEnqueue({ clientId: client.id }, packet);
      await super.outgoingUpdate(client, packet);
    }
  }
}
