// A desk's connection replays its session's queue from a snapshot; a packet
// the connection before it acknowledged after that snapshot is gone by the
// time aedes updates it. aedes-persistence-level throws "no such packet" and
// aedes closes the new connection for it (seen in the update power-cut test
// under load and after power cuts mid-update). The broker's SessionPersistence
// sends such a packet once more instead. Real LevelDB file, the interleaving
// aedes 1.2.0 (lib/handlers/connect.js emptyQueue) goes through, step by step.
import AsyncLevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { ClassicLevel } from 'classic-level';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { SessionPersistence } from '../provisioner/broker/session-store.ts';

const desk = { id: 'desk-7' };
let dir: string;
let store: ClassicLevel<string, unknown>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-replay-'));
  store = new ClassicLevel(join(dir, 'store'));
  await store.open();
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const chunk = (counter: number) => ({ cmd: 'publish', topic: 'dp/v1/st/desk-7/dn/chunk', payload: Buffer.from('chunk ' + counter), qos: 1, retain: false, dup: false, brokerId: 'b1', brokerCounter: counter });

async function queued(p: AsyncLevelPersistence): Promise<Array<{ brokerCounter: number; messageId?: number }>> {
  const out = [];
  for await (const packet of p.outgoingStream(desk)) out.push(packet as { brokerCounter: number; messageId?: number });
  return out;
}

/**
 * Two chunks queued for the desk; the first connection has the first in
 * flight as message 11; the second connection's replay reads it, and only
 * then does the first connection's PUBACK clear it. Returns the replay's
 * outgoingUpdate outcome.
 */
async function replayAfterLateAck(p: AsyncLevelPersistence): Promise<unknown> {
  await p.setup({ id: 'b1' });
  await p.outgoingEnqueue({ clientId: desk.id }, chunk(1));
  await p.outgoingEnqueue({ clientId: desk.id }, chunk(2));
  await p.outgoingUpdate(desk, { ...chunk(1), messageId: 11 });
  const replay = p.outgoingStream(desk)[Symbol.asyncIterator]();
  const first = (await replay.next()).value as ReturnType<typeof chunk>;
  await p.outgoingClearMessageId(desk, { messageId: 11 });
  return p.outgoingUpdate(desk, { ...first, messageId: 11 }).then(
    () => 'sent',
    (err: Error) => err.message,
  );
}

test('aedes-persistence-level itself fails the replay of a packet acknowledged after its snapshot (why the subclass exists)', async () => {
  expect(await replayAfterLateAck(new AsyncLevelPersistence(store))).toBe('no such packet');
});

test('the broker\'s persistence sends that packet once more, in flight again, and its acknowledgement clears it', async () => {
  const p = new SessionPersistence(store);
  expect(await replayAfterLateAck(p)).toBe('sent');
  expect((await queued(p)).map((q) => [q.brokerCounter, q.messageId])).toEqual([
    [1, 11],
    [2, null],
  ]);
  await p.outgoingClearMessageId(desk, { messageId: 11 });
  expect((await queued(p)).map((q) => q.brokerCounter)).toEqual([2]);
});

test('a packet that was never queued still fails the update (a QoS 2 PUBREC for an unknown message id)', async () => {
  const p = new SessionPersistence(store);
  await p.setup({ id: 'b1' });
  await expect(p.outgoingUpdate(desk, { cmd: 'pubrel', messageId: 99 })).rejects.toThrow('no such packet');
});
