// The same station credentials and ACLs over MQTT-over-WebSocket and MQTT over TLS.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { downFilter, downTopic } from '../protocol/topics.ts';
import { brokerWithStations, tempHome, type BrokerFixture } from './helpers/broker-fixtures.ts';

let fx: BrokerFixture;
const certDir = tempHome('dp-broker-tls-');
const cert = join(certDir, 'cert.pem');
const key = join(certDir, 'key.pem');

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  fx = await brokerWithStations(['desk-a'], { ws: '127.0.0.1:0', tls: { cert, key, listen: '127.0.0.1:0' } });
  const host = await mqtt.connectAsync(fx.broker.url, { clientId: 'svc-host-test', ...(await fx.registry.serviceCredentials('svc-host')), reconnectPeriod: 0 });
  await host.publishAsync(downTopic('desk-a', 'snap'), 'snap-a', { qos: 1, retain: true });
  await host.endAsync();
});
afterAll(async () => {
  await fx.close();
  rmSync(certDir, { recursive: true, force: true });
});

const transports = () => ({
  websocket: { url: fx.broker.wsUrl!, extra: {} },
  tls: { url: `mqtts://127.0.0.1:${fx.broker.tlsPort}`, extra: { ca: readFileSync(cert) } },
});

it.each(['websocket', 'tls'] as const)('over %s: own snapshot delivered, other topics refused, bad secret refused', async (name) => {
  const { url, extra } = transports()[name];
  const a = await mqtt.connectAsync(url, { clientId: 'desk-a', username: 'desk-a', password: fx.secrets['desk-a'], reconnectPeriod: 0, ...extra });
  const snapshot = new Promise<string>((resolve) => a.once('message', (_t, p) => resolve(String(p))));
  await a.subscribeAsync(downFilter('desk-a'), { qos: 1 });
  expect(await snapshot).toBe('snap-a');
  expect(await a.subscribeAsync(downFilter('desk-b'), { qos: 1 }).catch((err) => err.packet.granted)).toEqual([128]);
  await a.endAsync();
  const refused = await mqtt.connectAsync(url, { clientId: 'desk-a', username: 'desk-a', password: 'wrong', reconnectPeriod: 0, ...extra }).catch((err) => err);
  expect(refused).toMatchObject({ code: 4 });
});
