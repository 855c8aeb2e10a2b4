import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../provisioner/db.ts';
import { tempDir } from './helpers/service-harness.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

describe('deskphone accounts import: the whole file or nothing', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  const run = cliIn(tmp.dir);
  const count = () => {
    const db = openDb(tmp.dir);
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM svc_account').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('names line (as station import does) and column of every bad cell and writes nothing; a clean file goes in whole', async () => {
    const good = join(tmp.dir, 'good.csv');
    writeFileSync(good, 'account,name,street,place,open_items,open_cents\r\n400000000001,"Wolf, Eva",Am Wasserwerk 3,12345 Berlin,0,0\r\n400000000002,Kim,,,1,995\r\n');
    expect(await run('accounts', 'import', good)).toMatchObject({ code: 0, out: '2 accounts imported from ' + good + '\n' });

    const bad = join(tmp.dir, 'bad.csv');
    writeFileSync(
      bad,
      [
        'account,name,street,place,open_items,open_cents',
        '400000000003,Neu,Weg 1,Berlin,0,0',
        '40000000000X,Alt,Weg 2,Berlin,0,0',
        '400000000004,,Weg 3,Berlin,-1,12.5',
        '400000000003,Doppelt,Weg 4,Berlin,0,0',
      ].join('\n'),
    );
    const result = await run('accounts', 'import', bad);
    expect(result.code).toBe(1);
    expect(result.err).toContain('has 5 problem(s); nothing was imported');
    for (const line of [
      'line 3, column account: must be digits only',
      'line 4, column name: is empty',
      'line 4, column open_items: must be a whole number >= 0',
      'line 4, column open_cents: must be a whole number of cents',
      'line 5, column account: repeats line 2',
    ]) expect(result.err).toContain(line);
    expect(count()).toBe(2);

    const header = join(tmp.dir, 'header.csv');
    writeFileSync(header, 'konto,name\n1,2\n');
    expect((await run('accounts', 'import', header)).err).toContain('line 1, column account: header lacks column "account"');
    const unclosed = join(tmp.dir, 'unclosed.csv');
    writeFileSync(unclosed, 'account,name,street,place,open_items,open_cents\n\n400000000003,"Neu,Weg 1,Berlin,0,0\n');
    expect((await run('accounts', 'import', unclosed)).err).toContain('line 3, column -: a quoted field is not closed');
  });
});
