// A SUBSCRIBE whose retained messages are still being read when the broker
// shuts down must not take the host process with it: aedes pipes the
// persistence's retained stream without an error listener of its own.
import { expect, it } from 'vitest';
import type { Readable } from 'node:stream';
import { brokerWithStations } from './broker-fixtures.ts';

it('a retained-message read that fails after the store closed is logged, not thrown', async () => {
  const fx = await brokerWithStations(['desk-a']);
  const persistence = (fx.broker.aedes as unknown as { persistence: { createRetainedStreamCombi(p: string[]): Readable } }).persistence;
  await fx.close();
  const stream = persistence.createRetainedStreamCombi(['dp/v1/#']);
  // what aedes relies on: someone already listens for the error it will emit
  expect(stream.listenerCount('error')).toBeGreaterThan(0);
  const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
  stream.resume();
  expect((await failed).message).toMatch(/not open/i);
});
