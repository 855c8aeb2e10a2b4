// `deskphone broker --json` prints its status, serves until stopped, and its
// logs name refused clients without ever containing a secret.
import { afterAll, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { cli } from '../provisioner/cli.ts';
import { startBroker } from '../provisioner/broker/index.ts';
import { hostLogger } from '../provisioner/logging.ts';
import { openRegistry } from '../provisioner/registry/index.ts';
import { connectError, tempHome } from './helpers/broker-fixtures.ts';

const home = tempHome('dp-broker-cli-');
afterAll(() => rmSync(home, { recursive: true, force: true }));

it('prints the status as JSON and stops on the stop signal', async () => {
  const registry = openRegistry(home);
  const [{ secret }] = await registry.addStations([{ id: 'desk-a' }]);
  registry.close();
  let stop: () => void = () => {};
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  let out = '';
  let running: Promise<number> = Promise.resolve(-1);
  const printed = new Promise<void>((resolve) => {
    const output = { out: (t: string) => ((out += t), resolve()), err: () => {}, tty: false };
    running = cli(['broker', '--listen', '127.0.0.1:0', '--json', '--log-level', 'silent'], { output, env: { DESKPHONE_HOME: home }, stopSignal });
  });
  await printed;
  const status = JSON.parse(out);
  expect(status).toMatchObject({ stations: 1, ws: null, mqtts: null, maxPacketSize: 65536 });
  expect(status.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
  expect(await connectError(status.mqtt, { clientId: 'desk-a', username: 'desk-a', password: secret })).toBeNull();
  stop();
  expect(await running).toBe(0);
});

it('logs refusals with client and reason, never a password', async () => {
  let logs = '';
  const sink = new Writable({ write: (chunk, _e, cb) => ((logs += chunk), cb()) });
  const registry = openRegistry(home);
  const broker = await startBroker({ dataDir: home, registry, listen: '127.0.0.1:0', logger: hostLogger('broker', 'info', sink as unknown as pino.DestinationStream) });
  const secret = await registry.rotateSecret('desk-a');
  try {
    expect(await connectError(broker.url, { clientId: 'desk-a', username: 'desk-a', password: 'guessed-Secret-123' })).toMatchObject({ code: 4 });
    expect(await connectError(broker.url, { clientId: 'desk-b', username: 'desk-a', password: secret })).toMatchObject({ code: 2 });
    expect(await connectError(broker.url, { clientId: 'desk-a', username: 'desk-a', password: secret })).toBeNull();
  } finally {
    await broker.close();
    registry.close();
  }
  expect(logs).toContain('"reason":"bad username or password"');
  expect(logs).toContain('"clientId":"desk-a"');
  expect(logs).not.toContain('guessed-Secret-123');
  expect(logs).not.toContain(secret);
});
