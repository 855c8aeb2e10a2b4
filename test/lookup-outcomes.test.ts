import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountSource, LookupStatus } from '../protocol/host-codec.ts';
import { luhnValid } from '../provisioner/service/accounts.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { SqliteDirectory } from '../provisioner/service/directory.ts';
import { useServiceRig } from './helpers/service-harness.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

function withCheckDigit(body: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

const known = withCheckDigit('40012345678');
const unknown = withCheckDigit('40099999999');
const badCheck = known.slice(0, 11) + ((Number(known[11]) + 1) % 10);

describe('account lookups from a station: every outcome answered and audited', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 11, 0, 0));
  const rig = useServiceRig({
    prepare: async (dir) => {
      const csv = join(dir, 'accounts.csv');
      // In the data directory, so private like everything there (else the import says it made it so).
      writeFileSync(csv, `account,name,street,place,open_items,open_cents\n${known},"Müller, Anna",Neue Jakobstr. 1,10179 Berlin,2,-1250\n`, { mode: 0o600 });
      const imported = await cliIn(dir)('accounts', 'import', csv, '--account-check', 'luhn');
      expect(imported.err).toBe('');
      expect(imported.out).toMatch(/1 accounts imported/);
    },
    stations: [{ id: 'km-07', areas: [] }],
    service: (db) => ({ clock, directory: new SqliteDirectory(db), accountRule: { digits: 12, check: 'luhn' }, lookupsPerMinute: 5 }),
    device: { station: 'km-07', kinds: ['lookup'] },
  });

  const ask = async (corr: string, account: string) => {
    await rig.device.publish('lookup', { corr, account, source: AccountSource.KEYPAD, callId: 'c1' });
    return rig.device.until('lookup', (m) => m.corr === corr, `corr ${corr}`);
  };

  it('answers found, not found and invalid, then rate-limits, and audits all', async () => {
    expect(await ask('k1', known)).toMatchObject({ status: LookupStatus.FOUND, account: known, name: 'Müller, Anna', place: '10179 Berlin', openItems: 2, openCents: -1250 });
    expect(await ask('k2', unknown)).toMatchObject({ status: LookupStatus.NOT_FOUND, account: unknown, name: '' });
    expect(await ask('k3', '4001234')).toMatchObject({ status: LookupStatus.INVALID_NUMBER });
    expect(await ask('k4', badCheck)).toMatchObject({ status: LookupStatus.INVALID_NUMBER });
    expect(await ask('k5', known)).toMatchObject({ status: LookupStatus.FOUND });
    expect(await ask('k6', known)).toMatchObject({ status: LookupStatus.RATE_LIMITED, name: '' });
    clock.advance(60_001);
    expect(await ask('k7', known)).toMatchObject({ status: LookupStatus.FOUND });

    const { code, out } = await cliIn(rig.tmp.dir)('audit', 'export', '--format', 'json');
    expect(code).toBe(0);
    const audit = JSON.parse(out) as { corr: string; outcome: string; station: string; account: string; source: string; detail: string }[];
    expect(audit.map((a) => [a.corr, a.outcome])).toEqual([
      ['k1', 'FOUND'],
      ['k2', 'NOT_FOUND'],
      ['k3', 'INVALID_NUMBER'],
      ['k4', 'INVALID_NUMBER'],
      ['k5', 'FOUND'],
      ['k6', 'RATE_LIMITED'],
      ['k7', 'FOUND'],
    ]);
    expect(audit[3]).toMatchObject({ station: 'km-07', account: badCheck, source: 'KEYPAD', detail: 'check digit is wrong' });
    // customer data never rests on the broker: QoS 0, so nothing is stored for a persistent session
    const results = rig.device.received.filter((r) => r.kind === 'lookup');
    expect(results.map((r) => [r.qos, r.retain])).toEqual(results.map(() => [0, false]));
  });

  it('looks up the IVR number on offer by itself, outside the rate limit', async () => {
    for (let i = 0; i < 5; i++) await ask(`f${i}`, known);
    expect(await ask('f5', known)).toMatchObject({ status: LookupStatus.RATE_LIMITED });
    rig.service.ingest({ type: 'sign_in', station: 'km-07', agent: 'a7' });
    rig.service.ingest({ type: 'offered', station: 'km-07', callId: 'c9', menu: 2, ivrAccount: known });
    expect(await rig.device.until('lookup', (m) => m.corr === 'ivr:c9')).toMatchObject({ status: LookupStatus.FOUND, name: 'Müller, Anna' });
    const { out } = await cliIn(rig.tmp.dir)('audit', 'export', '--format', 'csv');
    expect(out).toMatch(new RegExp(`km-07,${known},FOUND,IVR,c9,ivr:c9,`));
  });
});
