import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phase } from '../protocol/host-codec.ts';
import { cli } from '../provisioner/cli.ts';
import { loadMemberMap } from '../provisioner/service/sources/ami/member-map.ts';
import { ScriptedAmi } from './helpers/ami-server.ts';
import { FakeDevice, startBroker, tempDir, type TestBroker } from './helpers/service-harness.ts';

describe('deskphone events ami: options, secret file, member map', () => {
  const tmp = tempDir();
  const ami = new ScriptedAmi('deskphone', 'Geheim-4711');
  let broker: TestBroker;
  let device: FakeDevice;
  let port: number;
  const file = (name: string, text: string) => {
    const path = join(tmp.dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    port = await ami.start();
    ami.addMember('PJSIP/1001', 'Frau Krüger', 'hotline', false);
    broker = await startBroker();
    device = await FakeDevice.connect(broker.url, 'wv-01', ['snap']);
  });

  afterAll(async () => {
    await device?.close();
    await broker?.close();
    await ami.stop();
    tmp.remove();
  });

  const run = async (args: string[], stop: Promise<void> = Promise.resolve()) => {
    let out = '';
    let err = '';
    const password = file('host.password', 'not-checked-by-this-broker\n');
    const code = await cli(['events', 'ami', ...args, '--broker', broker.url, '--station', 'wv-01', '--user', 'svc-host', '--password-file', password], {
      output: { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), tty: false },
      env: { DESKPHONE_HOME: join(tmp.dir, 'home') },
      stopSignal: stop,
    });
    return { code, out, err };
  };

  it('takes the member map of docs/telephony-asterisk.md as it stands', () => {
    const doc = readFileSync(new URL('../docs/telephony-asterisk.md', import.meta.url), 'utf8');
    const map = loadMemberMap(file('doc-map.csv', /## 4\. The member map[\s\S]*?```\n([\s\S]*?)```/.exec(doc)![1]));
    expect(map.station('PJSIP/1003')).toBe('km-01');
    expect(map.extensionTarget('2005')).toEqual({ desk: 'laboratory' });
  });

  it('names what is wrong with the map and the login, never printing the secret', async () => {
    const good = file('members.csv', 'member,station,extension\nPJSIP/1001,wv-01,1001\n');
    const secret = file('ami.secret', 'Geheim-4711\n');
    const ami1 = ['--ami', `127.0.0.1:${port}`, '--ami-user', 'deskphone'];

    const missing = await run([...ami1, '--map', good]);
    expect(missing).toMatchObject({ code: 1, err: 'error: --ami needs --ami-user, --ami-secret-file and --map\n  fix: e.g. --ami 10.0.0.5:5038 --ami-user deskphone --ami-secret-file ami.secret --map members.csv\n' });

    const dup = file('dup.csv', 'member,station\nPJSIP/1001,wv-01\nPJSIP/1001,wv-02\nPJSIP/1003,wv/03\n');
    const badMap = await run([...ami1, '--ami-secret-file', secret, '--map', dup]);
    expect(badMap.code).toBe(1);
    expect(badMap.err).toContain(`member map ${dup}: line 3: member PJSIP/1001 is already mapped on line 2; line 4: station id "wv/03" contains "/", the MQTT topic separator`);

    const wrong = await run([...ami1, '--ami-secret-file', file('wrong.secret', 'Geheim-0000\n'), '--map', good]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('error: Asterisk refused the login of AMI user "deskphone": Authentication failed\n  fix: check --ami-user and --ami-secret-file');
    expect(wrong.err + wrong.out).not.toMatch(/Geheim/);
  });

  it('runs the connector with a service of its own until stopped and sums up', async () => {
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const result = run(['--ami', `127.0.0.1:${port}`, '--ami-user', 'deskphone', '--ami-secret-file', file('ami.secret', 'Geheim-4711\n'), '--map', file('members.csv', 'member,station\nPJSIP/1001,wv-01\n')], stopped);
    await device.until('snap', (m) => m.phase === Phase.AVAILABLE && m.agent === 'Frau Krüger', 'signed in from QueueStatus');
    stop();
    const { code, out, err } = await result;
    expect(code).toBe(0);
    expect(out).toContain(`taking call events from Asterisk at 127.0.0.1:${port}; Ctrl-C stops`);
    expect(out).toMatch(/AMI: 0 events, 1 call events applied, 0 rejected, 0 for unmapped members, 0 malformed lines, 1 logins; QueuePause 0 sent, 0 failed/);
    expect(err + out).not.toMatch(/Geheim/);
  });
});
