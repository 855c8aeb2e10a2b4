// `deskphone events http` (the same webhook `up` and `service` start with --events-port) on a port already in use: a clear error, exit 1.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker, tempDir, type TestBroker } from './helpers/service-harness.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

const tmp = tempDir();
let broker: TestBroker;
let busy: Server;
let port: number;

beforeAll(async () => {
  broker = await startBroker();
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  port = (busy.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => busy.close(() => resolve()));
  await broker?.close();
  tmp.remove();
});

it('names the address and the fix instead of a stack trace', async () => {
  const token = join(tmp.dir, 'events.token');
  writeFileSync(token, 'a-webhook-token\n');
  const password = join(tmp.dir, 'host.password');
  writeFileSync(password, 'not-checked-by-this-broker\n');
  const run = cliIn(join(tmp.dir, 'home'));
  const { code, err } = await run('events', 'http', '--port', String(port), '--token-file', token, '--broker', broker.url, '--station', 'wv-01', '--user', 'svc-host', '--password-file', password);
  expect(code).toBe(1);
  expect(err).toBe(`error: the event webhook address 127.0.0.1:${port} is already in use\n  fix: stop what listens there or pick another port for the webhook\n`);
});
