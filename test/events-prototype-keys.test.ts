// Event fields that name the properties every JavaScript object inherits
// (`__proto__`, `constructor`, `toString`) are just unknown values: the
// webhook answers 400 naming the field, `events file` reports the line and
// goes on with the next one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phase } from '../protocol/host-codec.ts';
import { HttpSource } from '../provisioner/service/sources/http.ts';
import { useDeskRig, useServiceRig } from './helpers/service-harness.ts';

const INHERITED = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

describe('POST /events with inherited property names', () => {
  const webhook = new HttpSource({ token: 'proto-token' });
  const rig = useServiceRig({ stations: [{ id: 'wv-01', areas: [] }] });

  beforeAll(() => webhook.start((raw) => rig.service.ingest(raw)));
  afterAll(() => webhook.stop());

  const post = async (event: string) => {
    const res = await fetch(webhook.url, { method: 'POST', headers: { authorization: 'Bearer proto-token' }, body: event });
    return { status: res.status, body: (await res.json()) as { fields?: { field: string }[] } };
  };

  it('answers 400 naming the field for each, and the service keeps working', async () => {
    for (const name of INHERITED) {
      expect(await post(`{"type":"${name}","station":"wv-01"}`), `type ${name}`).toMatchObject({ status: 400, body: { fields: [{ field: 'type' }] } });
      expect(await post(`{"type":"offered","station":"wv-01","callId":"c1","menu":1,"area":"${name}"}`), `area ${name}`).toMatchObject({
        status: 400,
        body: { fields: [{ field: 'area' }] },
      });
      expect(await post(`{"type":"transferred","station":"wv-01","callId":"c1","toDesk":"${name}"}`), `toDesk ${name}`).toMatchObject({
        status: 400,
        body: { fields: [{ field: 'toDesk' }] },
      });
    }
    expect(await post('{"type":"sign_in","station":"wv-01","agent":"a1"}')).toMatchObject({ status: 200 });
    expect(rig.service.state('wv-01')?.phase).toBe(Phase.AVAILABLE);
  });
});

describe('deskphone events file with inherited property names', () => {
  const rig = useDeskRig('wv-01');

  it('reports each such line and applies the lines after it', async () => {
    const { code, out, err } = await rig.eventsFile([...INHERITED.map((name) => `{"type":"${name}","station":"wv-01"}`), '{"type":"sign_in","station":"wv-01","agent":"a1"}']);
    expect(code).toBe(1);
    expect(err.trim().split('\n').filter((l) => l.startsWith('line '))).toEqual(INHERITED.map((_, i) => expect.stringMatching(`^line ${i + 1}: type must be one of sign_in`)));
    expect(out).toMatch(/1 events applied, 4 rejected/);
    await rig.device.until('snap', (m) => m.phase === Phase.AVAILABLE, 'available');
  });
});
