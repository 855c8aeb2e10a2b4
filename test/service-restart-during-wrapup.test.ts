import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phase, Reason } from '../protocol/host-codec.ts';
import { FakeDevice, startBroker, tempDir, type TestBroker } from './service-harness.ts';

type Snap = { phase: number; reason: number; seq: number; wrapUpDeadlineMs: number; hostTimeMs: number; call: { callId: string } | null };

/** `deskphone service` in a child process; resolves with the event webhook URL it prints. */
function startHost(brokerUrl: string, home: string, tokenFile: string): Promise<{ child: ChildProcess; events: string }> {
  const child = spawn(
    process.execPath,
    ['bin/deskphone.js', 'service', '--broker', brokerUrl, '--station', 'wv-01', '--events-port', '0', '--events-token-file', tokenFile],
    { env: { ...process.env, DESKPHONE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /POST (http:\/\/[^\s;]+)/.exec(out);
      if (m) resolve({ child, events: m[1] });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${err}`)));
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('host killed during wrap-up', () => {
  const tmp = tempDir();
  const tokenFile = join(tmp.dir, 'events.token');
  let broker: TestBroker;
  let device: FakeDevice;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    writeFileSync(tokenFile, 'test-token-123\n');
    broker = await startBroker();
    device = await FakeDevice.connect(broker.url, 'wv-01', ['snap']);
  });

  afterAll(async () => {
    for (const c of children) await killHard(c);
    await device?.close();
    await broker?.close();
    tmp.remove();
  });

  it('keeps the wrap-up deadline across a kill -9 and restart', async () => {
    const home = join(tmp.dir, 'home');
    const first = await startHost(broker.url, home, tokenFile);
    children.push(first.child);
    const post = async (events: string, body: object) => {
      const res = await fetch(events, { method: 'POST', headers: { authorization: 'Bearer test-token-123', 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, await res.text()).toBe(200);
    };
    await post(first.events, { type: 'sign_in', station: 'wv-01', agent: 'a1' });
    await post(first.events, { type: 'offered', station: 'wv-01', callId: 'c1', menu: 2 });
    await post(first.events, { type: 'answered', station: 'wv-01', callId: 'c1' });
    await post(first.events, { type: 'hangup', station: 'wv-01', callId: 'c1', by: 'caller' });
    const before = await device.until<Snap>('snap', (m) => m.phase === Phase.WRAP_UP, 'wrap-up');
    expect(before.wrapUpDeadlineMs).toBe(before.hostTimeMs + 300_000);

    await killHard(first.child);

    const second = await startHost(broker.url, home, tokenFile);
    children.push(second.child);
    const after = await device.until<Snap>('snap', (m) => (m.seq as number) > before.seq, 'a snapshot from the restarted host');
    expect(after.phase).toBe(Phase.WRAP_UP);
    expect(after.reason).toBe(Reason.CALLER_HUNG_UP);
    expect(after.wrapUpDeadlineMs).toBe(before.wrapUpDeadlineMs);
    expect(after.call?.callId).toBe('c1');
    expect(after.seq).toBe(before.seq + 1);
  });
});
