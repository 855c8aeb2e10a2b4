// Secrets live only as salted keyed hashes (scrypt ones from before are
// still accepted and stored afresh at their next successful check); service secrets in 0600 files;
// changes reach other connections to the same data directory.
import { afterAll, expect, it } from 'vitest';
import { randomBytes, scryptSync } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openRegistry, type RegistryChange } from '../provisioner/registry/index.ts';
import { tempHome } from './helpers/broker-fixtures.ts';

const home = tempHome('dp-registry-');
afterAll(() => rmSync(home, { recursive: true, force: true }));

function dataDirBytes(): string {
  return readdirSync(home)
    .filter((f) => f.startsWith('deskphone.db'))
    .map((f) => readFileSync(join(home, f)).toString('latin1'))
    .join('');
}

it('stores station secrets only as salted HMAC-SHA-256 hashes', async () => {
  const registry = openRegistry(home);
  const issued = await registry.addStations([{ id: 'desk-a' }, { id: 'desk-b' }]);
  try {
    const [a, b] = issued;
    expect(a.secret).not.toBe(b.secret);
    expect(await registry.verifyStation('desk-a', a.secret)).toBe(true);
    expect(await registry.verifyStation('desk-a', b.secret)).toBe(false);
    expect(await registry.verifyStation('desk-zz', a.secret)).toBe(false);
    const hashes = registry.db.prepare('SELECT secret_hash FROM station_stations ORDER BY id').all() as { secret_hash: string }[];
    expect(hashes[0].secret_hash).toMatch(/^hmac-sha256\$[\w-]{22}\$[\w-]{43}$/);
    expect(hashes[0].secret_hash.split('$')[1]).not.toBe(hashes[1].secret_hash.split('$')[1]);
  } finally {
    registry.close();
  }
  const bytes = dataDirBytes();
  expect(bytes).toContain('desk-a');
  for (const { secret } of issued) expect(bytes).not.toContain(secret);
});

it('keeps service secrets in 0600 files and hands out the same one until it is gone', async () => {
  const registry = openRegistry(home);
  try {
    const [first, concurrent] = await Promise.all([registry.serviceCredentials('svc-host'), registry.serviceCredentials('svc-host')]);
    expect(concurrent).toEqual(first);
    expect(first.username).toBe('svc-host');
    const file = join(home, 'secrets', 'svc-host.secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.password);
    expect(await registry.authenticate('svc-host', first.password)).toEqual({ username: 'svc-host', role: 'host' });
    expect(await registry.authenticate('svc-admin', first.password)).toBeNull();
    rmSync(file);
    const reissued = await registry.serviceCredentials('svc-host');
    expect(reissued.password).not.toBe(first.password);
    expect(await registry.authenticate('svc-host', first.password)).toBeNull();
    expect(dataDirBytes()).not.toContain(reissued.password);
  } finally {
    registry.close();
  }
});

it('reports changes made through another connection and stops taking the old secret', async () => {
  const watcher = openRegistry(home);
  const writer = openRegistry(home);
  try {
    const old = (await writer.addStation({ id: 'desk-c' })).secret;
    expect(await watcher.verifyStation('desk-c', old)).toBe(true);
    const seen: RegistryChange[] = [];
    const rotated = new Promise<void>((resolve) =>
      watcher.onChange((c) => {
        seen.push(c);
        if (c.kind === 'removed') resolve();
      }),
    );
    const fresh = await writer.rotateSecret('desk-c');
    expect(await watcher.verifyStation('desk-c', old)).toBe(false);
    expect(await watcher.verifyStation('desk-c', fresh)).toBe(true);
    writer.removeStation('desk-c');
    await rotated;
    expect(seen).toEqual([
      { kind: 'added', id: 'desk-c' },
      { kind: 'secret', id: 'desk-c' },
      { kind: 'removed', id: 'desk-c' },
    ]);
    expect(await watcher.verifyStation('desk-c', fresh)).toBe(false);
  } finally {
    watcher.close();
    writer.close();
  }
});

it('takes a scrypt hash stored before issue 18 and stores the secret afresh after its first good check', async () => {
  const registry = openRegistry(home);
  try {
    const [{ secret }] = await registry.addStations([{ id: 'desk-old' }]);
    const salt = randomBytes(16);
    const legacy = ['scrypt', 2048, 8, 1, salt.toString('base64url'), scryptSync(secret, salt, 32, { N: 2048, r: 8, p: 1 }).toString('base64url')].join('$');
    const stored = () => (registry.db.prepare("SELECT secret_hash FROM station_stations WHERE id = 'desk-old'").get() as { secret_hash: string }).secret_hash;
    registry.db.prepare("UPDATE station_stations SET secret_hash = ? WHERE id = 'desk-old'").run(legacy);
    expect(await registry.verifyStation('desk-old', secret.slice(1) + 'x')).toBe(false);
    expect(stored()).toBe(legacy);
    expect(await registry.verifyStation('desk-old', secret)).toBe(true);
    expect(stored()).toMatch(/^hmac-sha256\$/);
    expect(await registry.verifyStation('desk-old', secret)).toBe(true);
  } finally {
    registry.close();
  }
});
