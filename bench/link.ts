// The station link in Node against the production broker: time from socket
// open to the first delivered message (the retained snapshot), packets per
// second through the device's MQTT splitter, and bytes on the wire for one
// call cycle. The interpreter is ~200x slower than Node per loop iteration
// (hardware/docs/board-facts.md), so read the rates as relative.
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { encode } from '../protocol/device/codec.ts';
import { Action, ActionAck, LookupRequest, LookupResult, Snapshot } from '../protocol/device/tables.generated.ts';
import { downTopic, upTopic } from '../protocol/topics.ts';
import { deviceConfig } from '../protocol/device-config.ts';
import { createLink, maxPacket } from '../firmware/src/net/link.ts';
import { feed, parser, publish, lstr, readPublish, bstr } from '../firmware/src/net/packets.ts';
import { hostClient, nodeConnect, recorder, startBroker, stationConfig, testIo, until } from '../test/helpers/link-io.ts';
import { startProxy } from '../test/helpers/tcp-proxy.ts';

const ID = 'desk-bench';
/** A station with no session yet, so nothing queued from the connect rounds shows up in the cycle. */
const CYCLE_ID = 'desk-cycle';
const ROUNDS = 20;
const SPLIT_PACKETS = 20000;

function snapshot(phase: number, seq: number, station = ID) {
  const now = Date.now();
  return encode(Snapshot, {
    station, phase, seq, hostTimeMs: now, reason: 3, areas: [1, 2], wrapUpS: 300, phaseSinceMs: now, agent: 'Jörg Müller',
    wrapUpDeadlineMs: phase === 5 ? now + 300000 : 0,
    call: { callId: 'c-20261127-0042', menu: 3, area: 1, ivrAccount: '400012345678', offeredMs: now - 60000, answeredMs: now - 50000 },
  } as never);
}

async function firstMessage(port: number, pass: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const rec = recorder();
    let opened = 0;
    const io = testIo(undefined, { connect: (o, cb) => nodeConnect(o, () => { opened = performance.now(); cb(); }) });
    const link = createLink(deviceConfig({ id: ID, board: 'linux', host: '127.0.0.1', port, pass }), linux, rec.handlers, io);
    await until(() => rec.msgs.length > 0, 'first message');
    times.push(performance.now() - opened);
    link.stop();
  }
  return times.sort((a, b) => a - b);
}

function splitterRate(): { perSecond: number; bytes: number } {
  const one = publish(lstr(downTopic(ID, 'snap')), bstr(snapshot(5, 1)), 1, false, true);
  const stream = one.repeat(SPLIT_PACKETS);
  const chunks: string[] = [];
  for (let o = 0; o < stream.length; o += 1460) chunks.push(stream.slice(o, o + 1460));
  const p = parser(maxPacket(linux));
  let n = 0;
  const started = performance.now();
  for (const c of chunks) feed(p, c, (f, body) => { if (readPublish(f, body)) n++; });
  const s = (performance.now() - started) / 1000;
  return { perSecond: Math.round(n / s), bytes: one.length };
}

/** Connect, birth, resync, retained snapshot, ringing/talking/wrap-up snapshots, a lookup and its result, ticket + ready with their acks. */
async function callCycleBytes(broker: Awaited<ReturnType<typeof startBroker>>) {
  const proxy = await startProxy({ port: broker.port });
  const host = await hostClient(broker, upTopic(CYCLE_ID, '+' as 'action'), 'bench');
  await host.client.publishAsync(downTopic(CYCLE_ID, 'snap'), Buffer.from(snapshot(2, 1, CYCLE_ID)), { qos: 1, retain: true });
  const rec = recorder();
  const link = createLink(stationConfig(broker, CYCLE_ID, proxy.port), linux, rec.handlers, testIo());
  await until(() => rec.msgs.length === 1 && link.stats().queued === 0, 'snapshot');
  let seq = 2;
  for (const phase of [3, 4]) await host.client.publishAsync(downTopic(CYCLE_ID, 'snap'), Buffer.from(snapshot(phase, seq++, CYCLE_ID)), { qos: 1, retain: true });
  link.send('lookup', encode(LookupRequest, { corr: 'l-1', account: '400012345678', source: 1, callId: 'c-20261127-0042' }), false);
  await until(() => host.got.some((m) => m.topic.endsWith('/lookup')), 'lookup');
  await host.client.publishAsync(downTopic(CYCLE_ID, 'lookup'), Buffer.from(encode(LookupResult, { corr: 'l-1', status: 1, account: '400012345678', name: 'Erika Mustermann', street: 'Hauptstraße 12', place: '10115 Berlin', openItems: 2, openCents: 12950 })), { qos: 1 });
  await host.client.publishAsync(downTopic(CYCLE_ID, 'snap'), Buffer.from(snapshot(5, seq++, CYCLE_ID)), { qos: 1, retain: true });
  for (const [key, kind] of [['9-1', 1], ['9-2', 4]] as const) {
    link.send('action', encode(Action, { key, kind, callId: 'c-20261127-0042', account: '400012345678', createdMs: Date.now() }), true);
    await until(() => host.got.filter((m) => m.topic.endsWith('/action')).length === (kind === 1 ? 1 : 2), 'action');
    await host.client.publishAsync(downTopic(CYCLE_ID, 'ack'), Buffer.from(encode(ActionAck, { key, status: 1, ref: kind === 1 ? 'T-000123' : '', kind })), { qos: 1 });
  }
  await host.client.publishAsync(downTopic(CYCLE_ID, 'snap'), Buffer.from(snapshot(2, seq++, CYCLE_ID)), { qos: 1, retain: true });
  await until(() => rec.msgs.length === 8 && link.stats().queued === 0, 'whole cycle');
  link.stop();
  const result = { up: proxy.bytesUp, down: proxy.bytesDown, messages: rec.msgs.length };
  await host.end();
  await proxy.close();
  return result;
}

export async function run(): Promise<void> {
  const broker = await startBroker('embedded', [ID, CYCLE_ID]);
  try {
    const seed = await hostClient(broker, upTopic(ID, 'presence'), 'seed');
    await seed.client.publishAsync(downTopic(ID, 'snap'), Buffer.from(snapshot(2, 1)), { qos: 1, retain: true });
    await seed.end();
    const t = await firstMessage(broker.port, broker.secrets[ID]);
    console.log(`socket open -> first message (retained snapshot), ${ROUNDS} connects: median ${t[t.length >> 1].toFixed(1)} ms, best ${t[0].toFixed(1)} ms, worst ${t[t.length - 1].toFixed(1)} ms`);
    const r = splitterRate();
    console.log(`MQTT splitter + PUBLISH read (Node): ${r.perSecond.toLocaleString('en')} packets/s of ${r.bytes} bytes, fed in 1460-byte segments`);
    const c = await callCycleBytes(broker);
    console.log(`one call cycle on the wire (TCP payload): ${c.up} bytes up, ${c.down} bytes down, ${c.up + c.down} total; ${c.messages} messages delivered to the app`);
  } finally {
    await broker.close();
  }
}
