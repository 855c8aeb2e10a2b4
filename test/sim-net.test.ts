// require("net") in the simulator over a real TCP server on loopback: bytes
// arrive as 8-bit strings, strings leave as latin1, a Uint8Array leaves as its
// text (as the interpreter does), and each board's link has to be brought up
// its own way before a socket connects; a dropped link closes the socket.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildBoard, REPO_ROOT } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { Simulator } from '../hardware/sim/simulator.ts';

let tmp: string;
const bundles: Record<string, string> = {};
let server: Server;
let port: number;
const peers: Socket[] = [];
const received: Buffer[] = [];
const sims: Simulator[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sim-net-'));
  for (const name of ['linux', 'esp32-ssd1306', 'pixljs-w5100']) {
    bundles[name] = (await buildBoard(loadBoard(name), { entry: join(REPO_ROOT, 'test', 'fixtures', 'gate', 'entry', 'main.ts'), outDir: tmp })).file;
  }
  server = createServer((peer) => {
    peers.push(peer);
    peer.on('data', (d) => received.push(d));
    peer.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterEach(() => {
  sims.splice(0).forEach((s) => s.close());
  peers.splice(0).forEach((p) => p.destroy());
  received.length = 0;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

function boot(board: string): Simulator {
  const sim = new Simulator({ board, bundle: bundles[board] }).boot();
  sims.push(sim);
  return sim;
}

/** Advances simulated time in small steps until `done` holds (real sockets need real event-loop turns). */
async function until(sim: Simulator, done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await sim.advance(10);
  expect(done()).toBe(true);
}

const CONNECT = (p: number) => `var log = [], got = '';
  var s = require('net').connect({ host: '127.0.0.1', port: ${p} }, function () { log.push('connect'); });
  s.on('data', function (d) { got += d; });
  s.on('error', function (e) { log.push('error ' + e.message); });
  s.on('close', function () { log.push('close'); });`;

describe('simulated net', () => {
  it('carries bytes both ways as the interpreter does (native link)', async () => {
    const sim = boot('linux');
    sim.eval(CONNECT(port));
    await until(sim, () => sim.eval('log.join()') === 'connect' && peers.length === 1);
    sim.eval("s.write('\\x00\\xff\\xe4MQ'); s.write(new Uint8Array([1, 2, 3]));");
    await until(sim, () => Buffer.concat(received).length >= 10);
    expect([...Buffer.concat(received)]).toEqual([0x00, 0xff, 0xe4, 0x4d, 0x51, ...Buffer.from('1,2,3')]);
    peers[0].write(Buffer.from([0x10, 0x80, 0xff, 0x00]));
    await until(sim, () => (sim.eval('got.length') as number) === 4);
    expect(sim.eval('[got.charCodeAt(0), got.charCodeAt(1), got.charCodeAt(2), got.charCodeAt(3)].join()')).toBe('16,128,255,0');
    peers[0].end();
    await until(sim, () => sim.eval('log.join()') === 'connect,close');
  });

  it('needs WiFi up on the ESP32, and drops the socket when the link goes down', async () => {
    const sim = boot('esp32-ssd1306');
    sim.eval(CONNECT(port));
    await until(sim, () => (sim.eval('log.length') as number) === 2);
    expect(sim.eval('log.join()')).toBe('error Unable to connect: WiFi is not connected,close');
    sim.eval("var w = require('Wifi'), wl = []; w.on('disconnected', function () { wl.push('down'); }); w.connect('hotline', { password: 'x' }, function (err) { wl.push('cb ' + err); });");
    await sim.advance(600);
    expect(sim.eval('wl.join() + " " + w.getIP().ip + " " + w.getDetails().status')).toBe('cb null 192.168.100.142 connected');
    sim.eval(CONNECT(port));
    await until(sim, () => sim.eval('log.join()') === 'connect');
    sim.network.down();
    await until(sim, () => (sim.eval('log.join()') as string).endsWith('close'));
    // The station notices after missed beacons; the driver does not reconnect.
    await sim.advance(5000);
    expect(sim.eval('wl.join() + " " + w.getStatus().station')).toBe('cb null,down BEACON_TIMEOUT');
    expect(sim.network.state()).toMatchObject({ link: false, configured: false, sockets: 0 });
  });

  it('needs the W5100 set up on the Pixl.js', async () => {
    const sim = boot('pixljs-w5100');
    sim.eval(CONNECT(port));
    await until(sim, () => (sim.eval('log.length') as number) === 2);
    expect(sim.eval('log[0]')).toBe('error Unable to connect: network interface is not set up');
    sim.eval("SPI1.setup({ mosi: D11, miso: D12, sck: D13 }); var eth = require('WIZnet').connect(SPI1, D10); eth.setIP();");
    expect(sim.eval('eth.getIP().ip')).toBe('192.168.100.142');
    expect(() => sim.eval("require('Wifi')")).toThrow('Module "Wifi" not found');
    sim.eval(CONNECT(port));
    await until(sim, () => sim.eval('log.join()') === 'connect');
  });

  it('has no WIZnet driver in the standard Pixl.js firmware, only in pixljs_wiznet', () => {
    const shop = new Simulator({ board: 'pixljs-w5100', firmware: 'pixljs', bundle: bundles['pixljs-w5100'] }).boot();
    sims.push(shop);
    expect(() => shop.eval("require('WIZnet')")).toThrow('Module "WIZnet" not found');
    expect(shop.eval('process.env.BOARD + " " + process.env.MODULES.split(",").indexOf("WIZnet")')).toBe('PIXLJS -1');
    const wiznet = boot('pixljs-w5100');
    expect(wiznet.eval('process.env.BOARD + " " + (process.env.MODULES.split(",").indexOf("WIZnet") >= 0)')).toBe('PIXLJS true');
  });

  it('reports a refused connection as error then close', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const sim = boot('linux');
    sim.eval(CONNECT(deadPort));
    await until(sim, () => (sim.eval('log.length') as number) === 2);
    expect(sim.eval('log.join()')).toBe('error ECONNREFUSED,close');
  });
});
