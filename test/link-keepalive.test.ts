// A broker that goes silent: no CONNACK, or no PINGRESP. The station gives up
// on the connection after one keepalive tick and dials again (keepalive is
// shortened to 1 s here; on a desk it is 30 s).
import { afterEach, expect, it } from 'vitest';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { createLink } from '../firmware/src/net/link.ts';
import { recorder, scriptedBroker, testIo, until, wire } from './helpers/link-io.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function station(answer: 'nothing' | 'connack') {
  const broker = await scriptedBroker((conn, p) => {
    if (answer === 'connack' && p.cmd === 'connect') conn.send(wire({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
  });
  cleanups.push(() => broker.close());
  const rec = recorder();
  const cfg = { v: 1, id: 'desk-ka', board: 'linux', host: '127.0.0.1', port: broker.port, pass: 'x', lang: 'de' as const, digits: 12 };
  const link = createLink(cfg, linux, rec.handlers, testIo(undefined, { ka: 1 }));
  cleanups.push(() => link.stop());
  return { broker, rec, link };
}

it('drops a connection whose PINGREQ goes unanswered and reconnects', async () => {
  const { broker, rec } = await station('connack');
  await until(() => broker.conns.length === 2, 'second connection');
  const first = broker.conns[0];
  expect(first.closed).toBe(true);
  expect(first.packets.map((p) => p.cmd)).toContain('pingreq');
  expect(rec.states.slice(0, 3)).toEqual(['broker ', 'online ', 'broker no PINGRESP']);
});

it('gives up on a broker that never answers CONNECT', async () => {
  const { broker, rec, link } = await station('nothing');
  await until(() => broker.conns.length === 2, 'second connection');
  expect(broker.conns[0].packets.map((p) => p.cmd)).toEqual(['connect']);
  expect(rec.states.slice(0, 2)).toEqual(['broker ', 'broker timeout']);
  expect(link.stats().connects).toBe(0);
});
