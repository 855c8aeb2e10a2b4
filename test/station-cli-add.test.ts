// `deskphone station add|list|show|rotate-secret|remove|export`: the registry from the CLI.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deviceConfigProblems } from '../protocol/device-config.ts';
import { openRegistry } from '../provisioner/registry/index.ts';
import { tempHome } from './helpers/broker-fixtures.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

const home = tempHome('dp-station-cli-');
const run = cliIn(home);
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function verify(id: string, secret: string): Promise<boolean> {
  const registry = openRegistry(home);
  try {
    return await registry.verifyStation(id, secret);
  } finally {
    registry.close();
  }
}

describe('station add', () => {
  it('creates the station and shows a working secret once', async () => {
    const added = await run('station', 'add', 'desk-01', '--name', 'Desk 1', '--areas', 'WV', '--board', 'pixljs-w5100', '--json');
    expect(added.code).toBe(0);
    const { id, secret } = JSON.parse(added.out);
    expect(id).toBe('desk-01');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await verify('desk-01', secret)).toBe(true);
    const shown = await run('station', 'show', 'desk-01');
    expect(shown.out).toContain('Desk 1');
    expect(shown.out + (await run('station', 'list')).out + (await run('station', 'list', '--json')).out).not.toContain(secret);
  });

  it('writes a 0600 device config instead of printing the secret', async () => {
    const file = join(home, 'desk-02.json');
    const added = await run('station', 'add', 'desk-02', '--areas', 'WV,KM', '--board', 'esp32-st7789', '--config-out', file, '--broker-address', '10.0.0.5:1883');
    expect(added.code).toBe(0);
    const config = JSON.parse(readFileSync(file, 'utf8'));
    expect(config).toMatchObject({ id: 'desk-02', board: 'esp32-st7789', host: '10.0.0.5', port: 1883 });
    expect(deviceConfigProblems(config)).toEqual([]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(added.out).not.toContain(config.pass);
    expect(await verify('desk-02', config.pass)).toBe(true);
  });

  it.each([
    [['desk-01'], 'already exists'],
    [['desk/3'], 'topic separator'],
    [['svc-host'], 'reserved'],
    [['desk-03', '--areas', 'WV,XX'], 'unknown area "XX"'],
    [['desk-03', '--board', 'toaster'], 'unknown board "toaster"'],
    [['desk-03', '--config-out', 'cfg.json'], 'needs the board'],
  ])('refuses %j with a clear message and writes nothing', async (extra, message) => {
    const before = (await run('station', 'export')).out;
    const refused = await run('station', 'add', ...extra, '--config-out', join(home, 'refused.json'));
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain(message);
    expect((await run('station', 'export')).out).toBe(before);
    expect(existsSync(join(home, 'refused.json'))).toBe(false);
  });
});

describe('station list, rotate-secret, remove, export', () => {
  it('lists stations with state (online since, or last seen), firmware and board', async () => {
    const registry = openRegistry(home);
    registry.setPresence('desk-01', { online: true, session: 3, lastSeen: Date.UTC(2026, 10, 27, 9, 30), firmware: '1.4.2', board: 'pixljs-w5100' });
    registry.close();
    const list = await run('station', 'list');
    expect(list.out.split('\n')[0]).toMatch(/^ID\s+NAME\s+AREAS\s+STATE \(UTC\)\s+FIRMWARE\s+LAST UPDATE \(UTC\)\s+BOARD$/);
    // Online now: the last presence change is when it connected.
    expect(list.out).toMatch(/desk-01\s+Desk 1\s+WV\s+online since 2026-11-27 09:30\s+1\.4\.2\s+-\s+pixljs-w5100/);
    expect(list.out).toMatch(/desk-02\s+WV,KM\s+offline, never seen\s+-\s+-\s+esp32-st7789/);
    expect((await run('station', 'show', 'desk-01')).out).toMatch(/^state \(UTC\)\s+online since 2026-11-27 09:30$/m);

    const json = JSON.parse((await run('station', 'list', '--json')).out);
    expect(json.map((s: { id: string; online: boolean }) => [s.id, s.online])).toEqual([['desk-01', true], ['desk-02', false]]);
    const gone = openRegistry(home);
    gone.setPresence('desk-01', { online: false, session: 3, lastSeen: Date.UTC(2026, 10, 27, 17, 5) });
    gone.close();
    expect((await run('station', 'list')).out).toMatch(/desk-01\s+Desk 1\s+WV\s+offline, last seen 2026-11-27 17:05\s+1\.4\.2/);
  });

  it('rotates a secret: the new one works, the old one not', async () => {
    const rotated = await run('station', 'rotate-secret', 'desk-01', '--json');
    const { secret } = JSON.parse(rotated.out);
    expect(await verify('desk-01', secret)).toBe(true);
    expect((await run('station', 'rotate-secret', 'desk-99')).err).toContain('no station "desk-99"');
  });

  it('exports CSV and removes stations', async () => {
    expect((await run('station', 'export')).out).toBe('id,name,areas,board\ndesk-01,Desk 1,WV,pixljs-w5100\ndesk-02,,"WV,KM",esp32-st7789\n');
    expect((await run('station', 'remove', 'desk-02')).code).toBe(0);
    expect((await run('station', 'show', 'desk-02')).code).not.toBe(0);
    expect((await run('station', 'remove', 'desk-02')).err).toContain('no station "desk-02"');
    expect(readdirSync(home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
