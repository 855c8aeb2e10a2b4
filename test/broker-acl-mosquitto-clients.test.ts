// A station's credentials, through Debian's mosquitto_pub/mosquitto_sub: its own topics only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import type { MqttClient } from 'mqtt';
import { downFilter, downTopic, upTopic } from '../protocol/topics.ts';
import { brokerWithStations, hostListening, type BrokerFixture } from './helpers/broker-fixtures.ts';
import { requires } from './helpers/requires.ts';

requires('mosquitto-clients');

let fx: BrokerFixture;
let host: MqttClient;
const hostInbox: string[] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, ['-h', '127.0.0.1', '-p', String(fx.broker.tcpPort), '-V', 'mqttv311', ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const as = (id: string, station = id) => ['-i', id, '-u', station, '-P', fx.secrets[station]];

beforeAll(async () => {
  fx = await brokerWithStations(['desk-a', 'desk-b']);
  host = await hostListening(fx, hostInbox);
  // retained snapshots: a permitted subscription receives one at once, without racing a live publish
  await host.publishAsync(downTopic('desk-a', 'snap'), 'snap-a', { qos: 1, retain: true });
  await host.publishAsync(downTopic('desk-b', 'snap'), 'snap-b', { qos: 1, retain: true });
});

afterAll(async () => {
  await host.endAsync(true);
  await fx.close();
});

describe('station credentials with mosquitto clients', () => {
  it("subscribes to its own downlink, not another station's", async () => {
    const own = await run('mosquitto_sub', [...as('desk-a'), '-q', '1', '-t', downFilter('desk-a'), '-C', '1', '-W', '5']);
    expect(own).toMatchObject({ code: 0, stdout: 'snap-a\n' });
    const other = await run('mosquitto_sub', [...as('desk-a'), '-q', '1', '-t', downFilter('desk-b'), '-C', '1', '-W', '5']);
    expect(other.stderr).toContain('All subscription requests were denied');
    expect(other.stdout).not.toContain('snap-b');
  });

  it("publishes to its own uplink; a publish to another station's is dropped with the connection", async () => {
    expect((await run('mosquitto_pub', [...as('desk-a'), '-q', '1', '-t', upTopic('desk-a', 'action'), '-m', 'mine'])).code).toBe(0);
    const forged = await run('mosquitto_pub', [...as('desk-a'), '-q', '1', '-t', upTopic('desk-b', 'action'), '-m', 'forged']);
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toContain('connection was lost');
    // b's marker is published after a's connection was cut, so a forged delivery would precede it
    const marker = new Promise<void>((resolve) => host.on('message', (_t, p) => String(p) === 'marker' && resolve()));
    expect((await run('mosquitto_pub', [...as('desk-b'), '-q', '1', '-t', upTopic('desk-b', 'sync'), '-m', 'marker'])).code).toBe(0);
    await marker;
    expect(hostInbox).toContain(`${upTopic('desk-a', 'action')} mine`);
    expect(hostInbox.some((m) => m.endsWith('forged'))).toBe(false);
  });

  it('refuses wrong password, wrong client id and anonymous', async () => {
    const topic = ['-t', downFilter('desk-a'), '-C', '1', '-W', '5'];
    const wrongPassword = await run('mosquitto_sub', ['-i', 'desk-a', '-u', 'desk-a', '-P', 'not-the-secret', ...topic]);
    expect(wrongPassword.stderr).toContain('bad user name or password');
    const wrongId = await run('mosquitto_sub', [...as('desk-b', 'desk-a'), ...topic]);
    expect(wrongId.stderr).toContain('identifier rejected');
    const anonymous = await run('mosquitto_sub', ['-i', 'desk-a', ...topic]);
    expect(anonymous.stderr).toContain('not authorised');
    for (const refused of [wrongPassword, wrongId, anonymous]) {
      expect(refused.code).not.toBe(0);
      expect(refused.stdout).toBe('');
    }
  });
});
