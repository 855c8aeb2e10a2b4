// A site on its own broker: Debian's mosquitto with the dynamic-security
// plugin. `deskphone external-broker` records it and creates the host's
// accounts there; station add/import/rotate-secret/remove provision each
// desk's login and a role that confines it as the embedded broker's ACLs do;
// `deskphone up --broker` runs the host on it (presence, snapshots).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../protocol/host-codec.ts';
import { downFilter, downTopic, upTopic } from '../protocol/topics.ts';
import { startMosquitto, type Mosquitto } from './helpers/mosquitto.ts';
import { requires } from './helpers/requires.ts';
import { parseUpArgs } from '../provisioner/commands/up.ts';
import { startUp, type UpHandle } from '../provisioner/up/index.ts';
import { until } from './helpers/up-fixture.ts';
import { tempDir } from './helpers/service-harness.ts';
import { cliIn } from './helpers/station-cli-fixtures.ts';

const tmp = tempDir();
let mosquitto: Mosquitto;
let url: string;
let up: UpHandle | undefined;

const present = requires('mosquitto');

beforeAll(async () => {
  if (!present) return;
  mosquitto = await startMosquitto({ users: {}, dynamicSecurity: { admin: 'site-admin', password: 'admin-pw-for-tests' } });
  url = `mqtt://127.0.0.1:${mosquitto.port}`;
});
afterAll(async () => {
  await up?.close();
  await mosquitto?.stop();
  tmp.remove();
});

const login = (id: string, password: string) => mqtt.connectAsync(url, { clientId: id, username: id, password, reconnectPeriod: 0, connectTimeout: 5000 });
const refused = (id: string, password: string) => login(id, password).then((c) => c.endAsync().then(() => 'accepted'), (err: Error) => err.message);

it('provisions station logins and confinement on mosquitto, and runs up on it', async () => {
  const home = join(tmp.dir, 'home');
  const run = cliIn(home);
  const adminPassword = join(tmp.dir, 'admin.pw');
  writeFileSync(adminPassword, 'admin-pw-for-tests\n');
  expect((await run('external-broker', url, '--admin-user', 'site-admin', '--admin-password-file', adminPassword)).code).toBe(0);
  const added = await run('station', 'add', 'wv-01', '--areas', 'WV', '--json');
  const secret = (JSON.parse(added.out) as { secret: string }).secret;
  writeFileSync(join(tmp.dir, 'desks.csv'), 'id,name,areas,board\nkm-02,Platz 2,KM,linux\nkm-03,Platz 3,KM,linux\n');
  expect((await run('station', 'import', join(tmp.dir, 'desks.csv'), '--secrets-out', join(tmp.dir, 'secrets.csv'))).code).toBe(0);
  const imported = Object.fromEntries(readFileSync(join(tmp.dir, 'secrets.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')));

  // a desk reads only its own downlink, and may send its uplink
  const desk = await login('wv-01', secret);
  const granted = (filter: string) => desk.subscribeAsync(filter, { qos: 1 }).then((g) => g[0].qos, (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0]);
  expect(await granted(downFilter('wv-01'))).toBe(1);
  expect(await granted(downFilter('km-02'))).toBe(128);
  expect(await refused('km-02', secret)).toMatch(/Not authorized|Bad user name or password/);
  expect(await refused('km-03', imported['km-03'])).toBe('accepted');

  // the host on the site's broker: the desk's birth reaches the registry, its sync brings its snapshot
  const quiet = { out: () => {}, err: () => {}, tty: false };
  up = await startUp(parseUpArgs(['--broker', url, '--http', '127.0.0.1:0']), { output: quiet, env: { DESKPHONE_HOME: home }, stopSignal: new Promise(() => {}) });
  const snapshots: number[] = [];
  desk.on('message', (topic, payload) => topic === downTopic('wv-01', 'snap') && payload.length && snapshots.push(decodeMessage('Snapshot', payload).seq));
  await desk.publishAsync(upTopic('wv-01', 'presence'), Buffer.from(encodeMessage('Presence', { online: true, session: 1, birth: { firmware: '9.9.9', session: 1 } })), { qos: 1, retain: true });
  await until(() => up!.registry.getStation('wv-01')?.online, 'the desk online in the registry');
  await desk.publishAsync(upTopic('wv-01', 'sync'), Buffer.from(encodeMessage('SyncRequest', { haveSeq: 0 })), { qos: 1 });
  await until(() => snapshots.length > 0, "the desk's snapshot from the host");
  await desk.endAsync();

  // a rotated secret and a removed desk no longer log in
  const rotated = (JSON.parse((await run('station', 'rotate-secret', 'wv-01', '--json')).out) as { secret: string }).secret;
  expect(await refused('wv-01', secret)).not.toBe('accepted');
  expect(await refused('wv-01', rotated)).toBe('accepted');
  expect((await run('station', 'remove', 'km-03')).code).toBe(0);
  expect(await refused('km-03', imported['km-03'])).not.toBe('accepted');
});
