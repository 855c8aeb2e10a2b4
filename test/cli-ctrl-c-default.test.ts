// Ctrl-C must end a one-shot command (flash, imports, decode) at once: only
// commands that wait for it to shut down cleanly may take SIGINT over.
import { expect, it } from 'vitest';
import { main } from '../provisioner/cli.ts';

it('a command that does not wait for Ctrl-C leaves SIGINT and SIGTERM alone', async () => {
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    expect(await main(['proto', 'decode', '--type', 'SyncRequest', '--hex', '0807'])).toBe(0);
  } finally {
    process.stdout.write = write;
  }
  expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
});
