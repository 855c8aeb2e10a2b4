// The demo's synthetic directory: a few hundred made-up accounts that the
// service's lookups find, imported only into an empty directory, so `up --demo`
// on a data directory with a real customer directory never touches it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../provisioner/db.ts';
import { demoAccountNumbers, seedDemoDirectory, DEMO_ACCOUNTS } from '../provisioner/demo/directory.ts';
import { importAccounts } from '../provisioner/service/account-import.ts';
import { DEFAULT_ACCOUNT_RULE } from '../provisioner/service/accounts.ts';
import { SqliteDirectory } from '../provisioner/service/directory.ts';

const dirs: string[] = [];
const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), 'deskphone-demo-dir-'));
  dirs.push(dir);
  return openDb(dir);
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('demo directory', () => {
  it('seeds made-up accounts that lookups find, once', async () => {
    const db = tempDb();
    expect(await seedDemoDirectory(db)).toEqual({ imported: DEMO_ACCOUNTS });
    expect(await seedDemoDirectory(db)).toEqual({ imported: 0 });
    const accounts = demoAccountNumbers();
    expect(new Set(accounts).size).toBe(DEMO_ACCOUNTS);
    const entry = await new SqliteDirectory(db).lookup(accounts[7]);
    expect(entry?.name).toMatch(/^\S+ \S+$/);
    // Invented places only.
    expect(entry?.place).toMatch(/^\d{5} (Quellingen|Brunnstadt|Wasserburg am Bach|Neu-Pumpenau|Schleusenfeld|Mühlenhain)$/);
    db.close();
  });

  it('leaves an existing directory alone', async () => {
    const db = tempDb();
    await importAccounts(db, 'account,name,street,place,open_items,open_cents\n123456789012,Real Customer,Main St 1,12345 Town,0,0\n', DEFAULT_ACCOUNT_RULE, false);
    expect(await seedDemoDirectory(db)).toEqual({ imported: 0 });
    expect((db.prepare('SELECT COUNT(*) AS n FROM svc_account').get() as { n: number }).n).toBe(1);
    db.close();
  });
});
