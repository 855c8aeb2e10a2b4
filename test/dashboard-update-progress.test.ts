// The dashboard learns of update progress from the SQLite file that
// `deskphone update` writes in its own process: each station's latest update,
// the rows changed since it last looked, in percent of the image.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { followUpdates } from '../provisioner/dashboard/update-progress.ts';
import { openRegistry } from '../provisioner/registry/index.ts';
import { UpdateStore, type TargetRecord } from '../provisioner/update/store.ts';
import { tempHome } from './helpers/broker-fixtures.ts';

const home = tempHome('dp-dash-update-');
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('dashboard update progress', () => {
  it('follows each station to its latest update, written by another connection to the file', async () => {
    const dashboardSide = openRegistry(home);
    const updateSide = new UpdateStore(openRegistry(home).db);
    const run = { id: 'u1', board: 'linux', version: '2.0.0', bytes: 4000, crc32: 1, sha256: 'a'.repeat(64), startedMs: 1000, finishedMs: 0 };
    const target = (station: string, state: TargetRecord['state'], offset: number, updatedMs: number): TargetRecord => ({ station, canary: false, state, offset, fromVersion: '1.0.0', detail: '', updatedMs });
    updateSide.createRun(run, [target('wv-01', 'sending', 1000, 1000), target('wv-02', 'waiting', 0, 1000)]);

    const changes: string[] = [];
    let wake = () => {};
    const progress = followUpdates(new UpdateStore(dashboardSide.db), (id) => (changes.push(id), wake()));
    expect(progress.get('wv-01')).toEqual({ version: '2.0.0', state: 'sending', percent: 25, detail: '' });
    expect(progress.get('km-01')).toBeUndefined();

    const seen = new Promise<void>((resolve) => (wake = () => changes.includes('wv-02') && resolve()));
    updateSide.saveTarget('u1', { ...target('wv-02', 'failed', 3000, 2000), detail: 'image CRC-32 mismatch' });
    await seen;
    expect(changes).toEqual(['wv-02']);
    expect(progress.get('wv-02')).toEqual({ version: '2.0.0', state: 'failed', percent: 100, detail: 'image CRC-32 mismatch' });
    progress.close();
    dashboardSide.close();
    updateSide.db.close();
  });
});
