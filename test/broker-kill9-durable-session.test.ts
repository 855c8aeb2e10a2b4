// QoS 1 messages queued for an offline persistent station survive `kill -9`
// of the broker process and a restart, and arrive exactly once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { downFilter, downTopic } from '../protocol/topics.ts';
import { openRegistry } from '../provisioner/registry/index.ts';
import { tempHome } from './helpers/broker-fixtures.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const home = tempHome('dp-broker-kill9-');
let secret = '';
let host = { username: '', password: '' };
let child: ChildProcess | null = null;
/** Client ids the running broker has logged as disconnected. */
let disconnected = new Set<string>();

beforeAll(async () => {
  const registry = openRegistry(home);
  [{ secret }] = await registry.addStations([{ id: 'desk-a' }]);
  host = await registry.serviceCredentials('svc-host');
  registry.close();
});

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

/** Starts `deskphone broker` as a child process; resolves with its URL from the --json status line. */
async function startChild(): Promise<string> {
  child = spawn(process.execPath, ['bin/deskphone.js', 'broker', '--listen', '127.0.0.1:0', '--json', '--log-level', 'info'], {
    cwd: repo,
    env: { ...process.env, DESKPHONE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  disconnected = new Set();
  // the log is JSON lines among the CLI's own notes
  createInterface({ input: child.stderr! }).on('line', (l) => {
    if (!l.startsWith('{')) return process.stderr.write(`${l}\n`);
    const entry = JSON.parse(l);
    if (entry.msg === 'client disconnected') disconnected.add(entry.clientId);
  });
  const [line] = await new Promise<string[]>((resolve, reject) => {
    createInterface({ input: child!.stdout! }).once('line', (l) => resolve([l]));
    child!.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
  });
  return JSON.parse(line).mqtt;
}

async function killChild(): Promise<void> {
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child!.kill('SIGKILL');
  await exited;
  child = null;
}

function station(url: string, inbox: string[]): Promise<MqttClient> {
  return mqtt
    .connectAsync(url, { clientId: 'desk-a', username: 'desk-a', password: secret, clean: false, reconnectPeriod: 0 }, false)
    .then((client) => {
      client.on('message', (_topic, payload) => inbox.push(String(payload)));
      return client;
    });
}

async function hostPublish(url: string, payloads: string[]): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId: 'svc-host-test', ...host, reconnectPeriod: 0 });
  for (const p of payloads) await client.publishAsync(downTopic('desk-a', 'cmd'), p, { qos: 1 });
  // aedes reads a client's next packet only after the previous ones were stored,
  // so this round trip means the queued messages are on disk
  await client.subscribeAsync('dp/v1/host/presence', { qos: 1 });
  await client.endAsync();
}

/**
 * The client's DISCONNECT is on its way when endAsync resolves, not yet handled: a message published
 * before the broker handles it still goes to the open connection instead of the queue under test.
 */
async function brokerDropped(clientId: string): Promise<void> {
  while (!disconnected.has(clientId)) await new Promise((r) => setTimeout(r, 20));
}

/** Waits until `marker` is in the inbox; everything queued before it was delivered before it. */
async function until(inbox: string[], marker: string): Promise<void> {
  while (!inbox.includes(marker)) await new Promise((r) => setTimeout(r, 20));
}

it('delivers messages queued before kill -9 after the restart, once', async () => {
  let url = await startChild();
  const first: string[] = [];
  const a = await station(url, first);
  await a.subscribeAsync(downFilter('desk-a'), { qos: 1 });
  await a.endAsync();
  await brokerDropped('desk-a');

  await hostPublish(url, ['queued-1', 'queued-2']);
  await killChild();

  url = await startChild();
  const second: string[] = [];
  const b = await station(url, second);
  await hostPublish(url, ['live-1']);
  await until(second, 'live-1');
  // a round trip after the PUBACKs: the broker has recorded the deliveries
  await b.subscribeAsync(downFilter('desk-a'), { qos: 1 });
  await b.endAsync();
  expect(second).toEqual(['queued-1', 'queued-2', 'live-1']);

  await killChild();
  url = await startChild();
  const third: string[] = [];
  const c = await station(url, third);
  await hostPublish(url, ['live-2']);
  await until(third, 'live-2');
  await c.endAsync();
  expect(third).toEqual(['live-2']);
  expect(first).toEqual([]);
});
