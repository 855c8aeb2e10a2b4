// The package ships no types; aedes 1.x takes its async class directly.
declare module 'aedes-persistence-level/asyncPersistence.js' {
  import type { ClassicLevel } from 'classic-level';
  export default class AsyncLevelPersistence {
    constructor(db: ClassicLevel<string, unknown>);
    setup(broker: { id: string }): Promise<void>;
    cleanSubscriptions(client: { id: string }): Promise<unknown>;
    outgoingEnqueue(sub: { clientId: string }, packet: object): Promise<void>;
    outgoingEnqueueCombi(subs: unknown[], packet: object): Promise<unknown>;
    outgoingUpdate(client: { id: string }, packet: object): Promise<void>;
    outgoingClearMessageId(client: { id: string }, packet: { messageId?: number }): Promise<unknown>;
    outgoingStream(client: { id: string }): import('node:stream').Readable;
    createRetainedStreamCombi(patterns: string[]): import('node:stream').Readable;
    createRetainedStream(pattern: string): import('node:stream').Readable;
    storeRetained(packet: { topic: string; payload: Buffer | string; qos: number }): Promise<void>;
    destroy(): Promise<void>;
  }
}
