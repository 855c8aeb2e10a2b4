import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phase } from '../protocol/host-codec.ts';
import { HttpSource } from '../provisioner/service/sources/http.ts';
import { useServiceRig } from './helpers/service-harness.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

describe('deskphone events file --to: a JSON-lines file fed to a running host', () => {
  const webhook = new HttpSource({ token: 'fwd-token' });
  const rig = useServiceRig({ stations: [{ id: 'km-02', areas: [] }], dataDir: 'host' });

  beforeAll(async () => {
    await webhook.start((raw) => rig.service.ingest(raw));
  });

  afterAll(async () => {
    await webhook.stop();
  });

  const run = cliIn(join(rig.tmp.dir, 'cli'));

  it('applies the good lines on the host and reports the bad ones as if local', async () => {
    const file = join(rig.tmp.dir, 'calls.jsonl');
    const token = join(rig.tmp.dir, 'token');
    writeFileSync(token, 'fwd-token\n');
    writeFileSync(file, ['{"type":"sign_in","station":"km-02","agent":"b"}', '{"type":"offered","station":"km-02","callId":"c1","menu":"two"}', '{"type":"answered","station":"km-02","callId":"c1"}', '{"type":"offered","station":"km-02","callId":"c1","menu":2}'].join('\n'));
    const result = await run('events', 'file', file, '--to', webhook.url, '--to-token-file', token);
    expect(result.err.trim().split('\n')).toEqual(['line 2: menu must be an integer 1-6', 'line 3: rejected: station km-02 is available; "answered" needs ringing']);
    expect(result.out).toBe('2 events applied, 2 rejected\n');
    expect(result.code).toBe(1);
    expect(rig.service.state('km-02')).toMatchObject({ phase: Phase.RINGING, call: { callId: 'c1', menu: 2 } });

    const wrongToken = join(rig.tmp.dir, 'wrong');
    writeFileSync(wrongToken, 'nope\n');
    const refused = await run('events', 'file', file, '--to', webhook.url, '--to-token-file', wrongToken);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(`error: event webhook ${webhook.url} answered HTTP 401: missing or wrong bearer token\n  fix: check --to and --to-token-file, and that the host runs with --events-port\n`);
  });
});
