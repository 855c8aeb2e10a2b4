// Finding 9 of issue 11: Storage is append-only (src/jsflash.c): every
// rewrite leaves the old copy as trash, a full store is compacted (erasing
// flash pages, printing "Compacting..."), and a write that still does not
// fit throws. The firmware rewrote its session counter on every connection
// attempt (every 15-30 s during an outage) and let a failed write throw out of
// the link. The simulator's Storage now keeps trash, compacts and throws; the
// firmware writes the counter once per boot and guards every write.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';
import { FILE_HEADER_BYTES, SimStorage } from '../hardware/sim/storage.ts';
import { CommandKind, decodeMessage, encodeMessage } from '../protocol/host-codec.ts';
import { downTopic, parseStationTopic } from '../protocol/topics.ts';
import { brokerWithStations } from './helpers/broker-fixtures.ts';

const BOARD = 'pixljs-w5100';
const ID = 'desk-flash';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const footprint = (n: number) => FILE_HEADER_BYTES + Math.ceil(n / 4) * 4;
/** The size of a file that leaves no byte free beside the bundle, the config and `others`. */
function fillerFor(config: object, others: string[] = []): number {
  const bundle = statSync(join(REPO_ROOT, 'firmware', 'dist', BOARD + '.js')).size;
  const held = [bundle, JSON.stringify(config).length, ...others.map((o) => o.length)].reduce((sum, n) => sum + footprint(n), 0);
  return loadBoard(BOARD).budget.storageBytes - held - FILE_HEADER_BYTES;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(sim: Simulator, pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (pred()) return;
    await sim.advance(50);
    await sleep(3);
  }
  throw new Error(`timed out waiting for ${what}; screen: ${sim.screen().join(' / ')}`);
}

describe('Storage in the simulator, as jsflash.c keeps it', () => {
  it('leaves trash on rewrites, compacts when full, and throws when even that does not make room', () => {
    const store = new SimStorage(1024);
    const printed: string[] = [];
    store.print = (line) => printed.push(line);
    const s = store.module({ JSON, ArrayBuffer, array: (items) => items });
    s.write('a', 'x'.repeat(400));
    s.write('a', 'x'.repeat(400));
    expect(s.getStats()).toMatchObject({ fileCount: 1, trashBytes: 0 });
    s.write('a', 'y'.repeat(400));
    expect(s.getStats()).toMatchObject({ fileCount: 1, fileBytes: footprint(400), trashBytes: footprint(400), freeBytes: 1024 - 2 * footprint(400) });
    // No room after the trash: the rewrite compacts first.
    s.write('a', 'z'.repeat(400));
    expect([store.compactions, printed]).toEqual([1, ['Compacting... ']]);
    expect(s.getStats()).toMatchObject({ fileCount: 1, trashBytes: 0 });
    // More than the store holds: refused, and the old copy is gone already (erased before the new one is placed).
    expect(() => s.write('a', 'w'.repeat(1000))).toThrow('Unable to find or create file');
    expect(s.read('a')).toBeUndefined();
    expect(store.writes.get('a')).toBe(3);
  });
});

describe('the firmware and Storage', () => {
  it('writes the session counter once per boot, not per connection attempt: an hour of outage', async () => {
    // A broker that refuses (nothing listens on port 1): the link retries at its 30 s cap all hour.
    const config = { v: 1, id: ID, board: BOARD, host: '127.0.0.1', port: 1, pass: 'x', lang: 'de', digits: 12 };
    const sim = new Simulator({ board: BOARD, config }).boot();
    cleanups.push(() => sim.close());
    for (let minute = 0; minute < 60; minute++) {
      await sim.advance(60_000);
      await sleep(1);
    }
    expect(sim.storage.writes.get('deskphone.ses')).toBe(1);
    expect(sim.storage.compactions).toBe(0);
    expect(sim.console).toEqual([]);
    expect(sim.errors).toEqual([]);
  });

  it('keeps working with Storage full: online, an action sent and acknowledged, nothing thrown', async () => {
    const fx = await brokerWithStations([ID]);
    cleanups.push(() => fx.close());
    const uplink: { key: string; kind: number }[] = [];
    fx.broker.aedes.on('publish', (packet: any) => {
      const t = parseStationTopic(packet.topic);
      if (t?.dir === 'up' && t.kind === 'action') uplink.push(decodeMessage('Action', new Uint8Array(packet.payload)) as { key: string; kind: number });
    });
    const config = { v: 1, id: ID, board: BOARD, host: '127.0.0.1', port: fx.broker.tcpPort, pass: fx.secrets[ID], lang: 'de', digits: 12 };
    // Everything the board's Storage holds beyond the bundle and the config is taken by another file.
    const sim = new Simulator({ board: BOARD, config, storage: { filler: 'f'.repeat(fillerFor(config)) } });
    cleanups.push(() => sim.close());
    expect(sim.storage.module({ JSON, ArrayBuffer, array: (i) => i }).getFree()).toBe(0);
    sim.boot();
    await until(sim, () => (sim.state() as { up: boolean }).up, 'the link online');
    const now = sim.eval('Date.now()') as number;
    sim.eval(`DP.post({ t: 'snap', v: { station: '${ID}', phase: 5, seq: 1, hostTimeMs: ${now}, phaseSinceMs: ${now}, wrapUpDeadlineMs: ${now + 300_000}, areas: [1], wrapUpS: 300, agent: 'A',
      call: { callId: 'c-1', menu: 2, area: 1, ivrAccount: '', offeredMs: ${now}, answeredMs: ${now}, endedMs: ${now} } } })`);
    await sim.press('ticket');
    await until(sim, () => uplink.length > 0, 'the ticket at the broker');
    const payload = Buffer.from(encodeMessage('ActionAck', { key: uplink[0].key, status: 1, ref: 'T-2026-000001', kind: 1 }));
    await new Promise<void>((r) => fx.broker.aedes.publish({ cmd: 'publish', topic: downTopic(ID, 'ack'), payload, qos: 1, retain: false, dup: false } as any, () => r()));
    await until(sim, () => sim.screen().some((l) => l.includes('T-2026-000001')), 'the acknowledged ticket');
    expect(sim.errors).toEqual([]);
    expect(sim.storage.names()).not.toContain('deskphone.ses');
    expect(sim.storage.names()).not.toContain('deskphone.out');

    // A CONFIG patch finds no room either: it applies in RAM, and the birth
    // after it counts the failed write (one more error than the birth before).
    const birthErrors: number[] = [];
    fx.broker.aedes.on('publish', (packet: any) => {
      const t = parseStationTopic(packet.topic);
      const p = t?.dir === 'up' && t.kind === 'presence' ? (decodeMessage('Presence', new Uint8Array(packet.payload)) as { birth?: { errors: number } }) : null;
      if (p?.birth) birthErrors.push(p.birth.errors);
    });
    const reconnect = async (births: number) => {
      (fx.broker.aedes as any).clients[ID].close();
      await until(sim, () => birthErrors.length === births, 'a birth after reconnecting');
    };
    await reconnect(1);
    const command = Buffer.from(encodeMessage('Command', { id: 'c-en', kind: CommandKind.CONFIG, config: { version: 2, lang: 'en' } }));
    await new Promise<void>((r) => fx.broker.aedes.publish({ cmd: 'publish', topic: downTopic(ID, 'cmd'), payload: command, qos: 1, retain: false, dup: false } as any, () => r()));
    await until(sim, () => sim.screen().some((l) => l.includes('Wrap-up')), 'the English screen');
    await reconnect(2);
    expect(birthErrors[1]).toBe(birthErrors[0] + 1);
    expect(sim.errors).toEqual([]);
    // The patched config (same size) did not fit beside the old one: the old one stays, so after a
    // reboot the desk still knows its station (it lost the file and showed "Nicht eingerichtet").
    expect(sim.storage.bytes('deskphone.json')?.toString()).toBe(JSON.stringify(config));
    sim.reboot();
    await sim.advance(500);
    expect(sim.screen().slice(0, 2)).toEqual(['Start', 'Station ' + ID]);
  });

  it('keeps the old copy of a file it cannot rewrite on a full Storage: session counter and outbox', async () => {
    // jsfWriteFile erases the old copy before it places the new one, and _jsfCreateFile compacts only
    // when the trash would make room: a same-size rewrite on a full Storage lost the file.
    const kept = [['action', Buffer.from('an action from before the reboot').toString('base64')]];
    const seed = { 'deskphone.ses': '7', 'deskphone.out': JSON.stringify(kept) };
    const config = { v: 1, id: ID, board: BOARD, host: '127.0.0.1', port: 1, pass: 'x', lang: 'de', digits: 12 };
    const sim = new Simulator({ board: BOARD, config, storage: { ...seed, filler: 'f'.repeat(fillerFor(config, Object.values(seed))) } });
    cleanups.push(() => sim.close());
    expect(sim.storage.module({ JSON, ArrayBuffer, array: (i) => i }).getFree()).toBe(0);
    sim.boot();
    await sim.advance(1000);
    // The next boot number did not fit beside the last one.
    expect(sim.storage.bytes('deskphone.ses')?.toString()).toBe('7');
    // An action queued offline: the outbox with it does not fit, the one from before stays.
    const now = sim.eval('Date.now()') as number;
    sim.eval(`DP.post({ t: 'snap', v: { station: '${ID}', phase: 5, seq: 1, hostTimeMs: ${now}, phaseSinceMs: ${now}, wrapUpDeadlineMs: ${now + 300_000}, areas: [1], wrapUpS: 300, agent: 'A',
      call: { callId: 'c-1', menu: 2, area: 1, ivrAccount: '', offeredMs: ${now}, answeredMs: ${now}, endedMs: ${now} } } })`);
    await sim.press('ticket');
    expect((sim.state() as { out: unknown[]; act: unknown[] }).act.length).toBe(1);
    expect(sim.storage.bytes('deskphone.out')?.toString()).toBe(seed['deskphone.out']);
    // Room behind trash is compacted first: the next action is stored with the others.
    sim.storage.module({ JSON, ArrayBuffer, array: (i) => i }).erase('filler');
    await sim.press('ok');
    expect(sim.storage.compactions).toBe(1);
    expect(JSON.parse(sim.storage.bytes('deskphone.out')!.toString())).toHaveLength(3);
    expect(sim.errors).toEqual([]);
  });
});
