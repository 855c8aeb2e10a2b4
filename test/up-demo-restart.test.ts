// `npm start` (deskphone up --demo) from an empty data directory, stopped with
// Ctrl-C and started again: the same stations with the same secrets come back,
// the broker kept the retained snapshots in between, and the service carries
// on from the state it had (sequence numbers continue, nobody signed out).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from '../provisioner/broker/index.ts';
import type { StationCard } from '../provisioner/dashboard/card.ts';
import { decodeMessage, Phase } from '../protocol/host-codec.ts';
import { parseStationTopic, STATION_PREFIX } from '../protocol/topics.ts';
import { until } from './helpers/up-fixture.ts';

const home = mkdtempSync(join(tmpdir(), 'deskphone-npm-start-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

/** Starts the CLI as `npm start` does (plus free ports and fewer desks), resolves with the printed dashboard URL. */
async function npmStart(extra: string[] = []): Promise<{ child: ChildProcess; dashboard: string; output: () => string }> {
  const child = spawn(process.execPath, ['bin/deskphone.js', 'up', '--demo', '--stations', '4', '--http', '127.0.0.1:0', '--listen', '127.0.0.1:0', ...extra], {
    env: { ...process.env, DESKPHONE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const dashboard = await until(() => /dashboard\s+(http:\S+)/.exec(output)?.[1], 'the printed dashboard URL', 600);
  expect(output).toMatch(/mqtt\s+mqtt:\/\/127\.0\.0\.1:\d+/);
  return { child, dashboard, output: () => output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  const code = await exited;
  children.delete(child);
  return code;
}

const stations = async (dashboard: string) => (await (await fetch(new URL('/api/stations', dashboard))).json()) as StationCard[];

/** All desks online and signed in (the simulated telephony signs them in). */
async function demoRunning(dashboard: string): Promise<StationCard[]> {
  return until(async () => {
    const cards = await stations(dashboard);
    return cards.length === 4 && cards.every((c) => c.online && c.frame && c.phase !== 'SIGNED_OUT' && c.phase !== 'PHASE_UNSPECIFIED') && cards;
  }, 'four desks online and signed in', 600);
}

const configs = () => Object.fromEntries(readdirSync(join(home, 'demo')).filter((f) => f.endsWith('.json')).map((f) => [f, readFileSync(join(home, 'demo', f), 'utf8')]));

/** The retained snapshots the broker's store holds while nothing else runs. */
async function retainedSnapshots(): Promise<Map<string, { phase: number; seq: number }>> {
  const broker = await startBroker({ dataDir: home, listen: '127.0.0.1:0', logger: pino({ level: 'silent' }) });
  const found = new Map<string, { phase: number; seq: number }>();
  try {
    const credentials = await broker.registry.serviceCredentials('svc-admin');
    const client = await mqtt.connectAsync(broker.url, { ...credentials, clientId: 'svc-admin-test', clean: true });
    client.on('message', (topic, payload) => {
      const snap = decodeMessage('Snapshot', payload) as { phase: number; seq: number };
      found.set(parseStationTopic(topic)!.station, { phase: snap.phase, seq: snap.seq });
    });
    await client.subscribeAsync(STATION_PREFIX + '+/dn/snap', { qos: 1 });
    await until(() => found.size === 4, 'four retained snapshots');
    await client.endAsync();
  } finally {
    await broker.close();
  }
  return found;
}

describe('npm start, Ctrl-C, npm start', () => {
  it('keeps the stations, their secrets and their state', async () => {
    const first = await npmStart();
    const before = await demoRunning(first.dashboard);
    expect(before.map((c) => c.id)).toEqual(['km-01', 'km-02', 'wv-01', 'wv-02']);
    expect(before.every((c) => c.virtual && c.firmware)).toBe(true);
    expect(await stop(first.child)).toBe(0);
    const secrets = configs();

    const retained = await retainedSnapshots();
    for (const snap of retained.values()) expect([Phase.SIGNED_OUT, Phase.PHASE_UNSPECIFIED]).not.toContain(snap.phase);

    const token = join(home, 'events.token');
    writeFileSync(token, 'restart-test-token\n');
    const second = await npmStart(['--events-port', '0', '--events-token-file', token]);
    const after = await demoRunning(second.dashboard);
    expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
    // Nothing re-issued: the desks got online with the secrets of the first run.
    expect(configs()).toEqual(secrets);
    // The service went on from its stored state rather than from scratch.
    for (const card of after) expect(card.seq).toBeGreaterThan(retained.get(card.id)!.seq);
    expect(second.output()).not.toContain('building firmware');
    // Resuming is no news: the simulated telephony signs in only who is signed out, and rings only who is available.
    expect(second.output()).not.toContain('rejected');
    // A real conflict still says so.
    const events = /events\s+POST (\S+)/.exec(second.output())![1];
    const refused = await fetch(events, { method: 'POST', headers: { authorization: 'Bearer restart-test-token', 'content-type': 'application/json' }, body: JSON.stringify({ type: 'sign_in', station: 'wv-01', agent: 'x' }) });
    expect(refused.status).toBe(409);
    await until(() => /"level":40,.*"name":"service","station":"wv-01","type":"sign_in",.*"msg":"event rejected"/.test(second.output()), 'the rejection in the log');
    expect(await stop(second.child)).toBe(0);
  }, 60_000);
});
