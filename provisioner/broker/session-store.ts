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

/**
 * aedes-persistence-level with one difference: a queued packet that vanished
 * while aedes was about to send it again is stored again and sent, instead of
 * failing the connection.
 *
 * When a client connects, aedes (1.2.0, lib/handlers/connect.js emptyQueue)
 * reads the session's queue from a LevelDB snapshot and, per packet, calls
 * outgoingUpdate and then writes it. A connection of the same client id just
 * before (a desk that dialled again within a second, or that acknowledged a
 * chunk as the power went) may acknowledge or clear that packet after the
 * snapshot was taken; 9.2.0's #updateWithBrokerData then throws "no such
 * packet", aedes emits it as a client error and closes the new connection,
 * and the desk has to dial again (seen: a desk reconnecting after a power cut
 * mid-update, and the update power-cut test under load). Sending the packet
 * once more is what QoS 1 allows (at least once); every receiver here takes a
 * repeated message idempotently, and the desk's acknowledgement then clears it.
 */
export class SessionPersistence extends AsyncLevelPersistence {
  override async outgoingUpdate(client: { id: string }, packet: OutgoingPacket): Promise<void> {
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
