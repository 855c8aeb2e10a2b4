// A second broker on the same data directory or the same port is refused with
// a clear message and leaves nothing open behind it.
import { afterAll, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import pino from 'pino';
import { startBroker } from '../provisioner/broker/index.ts';
import { UserError } from '../lib/user-error.ts';
import { tempHome } from './helpers/broker-fixtures.ts';

const homes = [tempHome('dp-broker-locked-'), tempHome('dp-broker-locked-')];
afterAll(() => homes.forEach((home) => rmSync(home, { recursive: true, force: true })));
const options = (dataDir: string, listen = '127.0.0.1:0') => ({ dataDir, listen, logger: pino({ level: 'silent' }) });

it('refuses a second broker on the same store or port', async () => {
  const first = await startBroker(options(homes[0]));
  try {
    const sameStore = await startBroker(options(homes[0])).catch((err) => err);
    expect(sameStore).toBeInstanceOf(UserError);
    expect(sameStore.message).toContain('in use by another broker');
    const samePort = await startBroker(options(homes[1], `127.0.0.1:${first.tcpPort}`)).catch((err) => err);
    expect(samePort).toBeInstanceOf(UserError);
    expect(samePort.message).toContain('already in use');
  } finally {
    await first.close();
  }
  // both refusals released what they had opened
  for (const home of homes) await (await startBroker(options(home))).close();
});
