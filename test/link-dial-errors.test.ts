// The broker can't be reached: nothing listens on the port, or the socket
// layer throws at once (the interpreter does for a host it can't resolve).
// Either way the connecting screen gets the broker step with a reason, and
// the link keeps trying with growing pauses.
import net from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import linux from '../hardware/boards/linux.json' with { type: 'json' };
import { createLink, Limits } from '../firmware/src/net/link.ts';
import { recorder, testIo, until } from './helpers/link-io.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

const cfg = (port: number) => ({ v: 1, id: 'desk-dial', board: 'linux', host: '127.0.0.1', port, pass: 'x', lang: 'de' as const, digits: 12 });

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

it('reports a refused TCP connection on the broker step and retries', async () => {
  const rec = recorder();
  const link = createLink(cfg(await closedPort()), linux, rec.handlers, testIo());
  cleanups.push(() => link.stop());
  await until(() => rec.states.filter((s) => s === 'broker ECONNREFUSED').length === 3, 'three refusals');
  expect(rec.states.slice(0, 4)).toEqual(['broker ', 'broker ECONNREFUSED', 'broker ', 'broker ECONNREFUSED']);
  expect(link.stats()).toMatchObject({ state: 'down', connects: 0 });
});

it('survives a socket layer that throws instead of emitting an error', async () => {
  const rec = recorder();
  let tries = 0;
  const io = testIo(undefined, { connect: () => { tries++; throw new Error('Unable to find host'); } });
  const link = createLink(cfg(1), linux, rec.handlers, io);
  cleanups.push(() => link.stop());
  await until(() => tries === 3, 'three tries');
  expect(rec.states.slice(0, 2)).toEqual(['broker ', 'broker Unable to find host']);
});

it('waits exponentially longer between tries, with jitter, up to 30 s', () => {
  vi.useFakeTimers();
  cleanups.push(() => vi.useRealTimers());
  const delays: number[] = [];
  const realSetTimeout = globalThis.setTimeout;
  const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms: number, ...args: unknown[]) => {
    delays.push(ms);
    return realSetTimeout(fn, ms, ...args);
  }) as typeof setTimeout);
  cleanups.push(() => spy.mockRestore());
  const random = vi.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValue(1);
  cleanups.push(() => random.mockRestore());
  const link = createLink(cfg(1), linux, recorder().handlers, testIo(undefined, { base: Limits.BACKOFF_BASE_MS, connect: () => { throw new Error('down'); } }));
  cleanups.push(() => link.stop());
  for (let i = 0; i < 8; i++) vi.advanceTimersByTime(Limits.BACKOFF_CAP_MS);
  // Equal jitter: half the step fixed, half random (Math.random 1 = full step, 0 = half).
  // (Each dial itself runs from a timer of 0 ms, after whatever brought the network up.)
  expect(delays.filter((d) => d > 0).slice(0, 8)).toEqual([500, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});
