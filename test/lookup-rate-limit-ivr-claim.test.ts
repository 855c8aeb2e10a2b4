// A station cannot escape the lookup rate limit by saying its lookups came
// from the IVR: the IVR number is looked up by the host itself when the call
// is offered, so every up/lookup a device sends is the agent's and counts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountSource, LookupStatus } from '../protocol/host-codec.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { SqliteDirectory } from '../provisioner/service/directory.ts';
import { useServiceRig } from './helpers/service-harness.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

const ACCOUNTS = Array.from({ length: 40 }, (_, i) => String(400000000000 + i));

describe('lookups a device marks as IVR', () => {
  const rig = useServiceRig({
    prepare: async (dir) => {
      const csv = join(dir, 'accounts.csv');
      writeFileSync(csv, 'account,name,street,place,open_items,open_cents\n' + ACCOUNTS.map((a) => `${a},Kunde ${a},Weg 1,Berlin,0,0`).join('\n') + '\n');
      expect((await cliIn(dir)('accounts', 'import', csv)).code).toBe(0);
    },
    stations: [{ id: 'wv-01', areas: [] }],
    service: (db) => ({ clock: new ManualClock(Date.UTC(2026, 10, 27, 11)), directory: new SqliteDirectory(db) }),
    device: { station: 'wv-01', kinds: ['lookup'] },
  });

  it('count towards the per-station limit and are audited as the keypad lookups they are', async () => {
    for (const [i, account] of ACCOUNTS.entries()) await rig.device.publish('lookup', { corr: `w${i}`, account, source: AccountSource.IVR, callId: 'c1' });
    // Refusals are answered at once, directory hits a moment later: take the answers in any order.
    const results = [];
    for (let i = 0; i < ACCOUNTS.length; i++) results.push(await rig.device.until('lookup'));
    const found = results.filter((r) => r.status === LookupStatus.FOUND).length;
    const limited = results.filter((r) => r.status === LookupStatus.RATE_LIMITED).length;
    expect({ found, limited }).toEqual({ found: 10, limited: 30 });

    const audit = JSON.parse((await cliIn(rig.tmp.dir)('audit', 'export', '--format', 'json')).out) as { source: string }[];
    expect(new Set(audit.map((a) => a.source))).toEqual(new Set(['KEYPAD']));
  });
});
