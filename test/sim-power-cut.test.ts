// The simulator as a board whose power can go: a cut stops it where it was
// (no timer of the dying code runs, its sockets are gone, and neither does a
// reboot leave the old code anything to react to), power-on checks
// Storage as the interpreter does and erases a corrupt one, and the modules an
// update needs are there: require("Flash") at the board's own Storage
// addresses and require("heatshrink") with the interpreter's parameters.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { espruinoBuild } from '../hardware/espruino.ts';
import { compress } from '../hardware/heatshrink.ts';
import { FlashMemory, JsfStorage } from '../hardware/sim/jsflash.ts';
import { Simulator } from '../hardware/sim/simulator.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sim-power-cut-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sims: Simulator[] = [];
afterEach(() => sims.splice(0).forEach((s) => s.close()));

function bundle(name: string, code: string): string {
  const file = join(tmp, name + '.js');
  writeFileSync(file, code);
  return file;
}

function sim(options: ConstructorParameters<typeof Simulator>[0]): Simulator {
  const s = new Simulator(options);
  sims.push(s);
  return s;
}

// Writes a file every 100 ms; a failed write is caught and a timer set, as the firmware's guarded writes do.
const WRITER = bundle(
  'writer',
  'var S=require("Storage"),n=0;setInterval(function(){try{S.write("f"+n,"x".repeat(600));n++}catch(e){global.caught=e.message;setTimeout(function(){global.after=1},10)}},100);',
);

it('stops the board at a power cut and boots it again with the flash as the cut left it', async () => {
  const s = sim({ board: 'linux', bundle: WRITER }).boot();
  await s.advance(250);
  expect(s.storage.names()).toEqual(['.bootcde', 'f0', 'f1']);
  s.storage.flash.cutAfterBytes(300);
  await s.advance(1000);
  expect(s.storage.flash.cut).toBe(true);
  // The code on the stack caught the cut and set a timer; a dead board runs none.
  expect(s.timers()).toBe(0);
  expect(s.eval('global.after')).toBeUndefined();
  expect(s.errors).toEqual([]);
  s.boot();
  // The write in progress was cut in its data: its header is there, the rest of it is not.
  expect(s.storage.names()).toEqual(['.bootcde', 'f0', 'f1', 'f2']);
  expect([...s.storage.bytes('f2')!.subarray(300 - 32)].every((b) => b === 0xff)).toBe(true);
  await s.advance(150);
  expect(s.eval('n')).toBe(1);
});

it('keeps a cut armed before the firmware reboots itself: it comes in the next boot\'s writes', async () => {
  // Writes one file, then reboots; after the reboot writes the next one.
  const rebooter = bundle('rebooter', 'var S=require("Storage"),n=S.list().length;S.write("g"+n,"y".repeat(100));if(n<3)setTimeout(E.reboot,10);');
  const s = sim({ board: 'linux', bundle: rebooter }).boot();
  s.storage.flash.cutAfterBytes(200);
  for (let i = 0; i < 20 && !s.storage.flash.cut; i++) await s.advance(20);
  expect(s.storage.flash.cut).toBe(true);
});

it('at power-on erases a Storage whose chain is broken, as jsfIsStorageValid and jsfResetStorage do', () => {
  const { storage } = espruinoBuild('pixljs_wiznet');
  const jsf = new JsfStorage(new FlashMemory(storage));
  jsf.write('.bootcde', Buffer.from('print("booted")'));
  for (const name of ['a', 'b', 'c']) jsf.write(name, new Uint8Array(3000).fill(name.charCodeAt(0)));
  jsf.write('d', new Uint8Array(200).fill(0x64));
  const intact = sim({ board: 'pixljs-w5100', flash: jsf.flash.image }).boot();
  expect(intact.console).toContain('booted');
  expect(intact.storage.names()).toEqual(['.bootcde', 'a', 'b', 'c', 'd']);
  // Page 1 holds c's header and page 2 starts inside c's data: page 1 erased, as a compaction cut between erase and write leaves it.
  const broken = jsf.flash.image.slice();
  broken.fill(0xff, 4096, 8192);
  const wiped = sim({ board: 'pixljs-w5100', flash: broken }).boot();
  expect(wiped.console).toEqual(['Storage is corrupt.', 'No boot code in Storage (.bootcde)']);
  expect(wiped.storage.names()).toEqual([]);
});

it('has require("Flash") at the board\'s Storage addresses and require("heatshrink") as the interpreter', () => {
  const s = sim({ board: 'pixljs-w5100', bundle: bundle('idle', 'var idle;') }).boot();
  expect(s.eval('JSON.stringify(require("Flash").getPage(0x6D000 + 5000))')).toBe('{"addr":450560,"length":4096}');
  const packed = Buffer.from(compress(Buffer.from('Update Update Update 42%'))).toString('base64');
  expect(s.eval(`E.toString(require("heatshrink").decompress(atob("${packed}")))`)).toBe('Update Update Update 42%');
  expect(s.eval('E.toString(require("heatshrink").decompress(require("heatshrink").compress("abcabcabc")))')).toBe('abcabcabc');
});

it('a reboot leaves the old code no socket event to react to: it does not dial again from beyond the grave', async () => {
  const peers: Socket[] = [];
  const server = createServer((p) => peers.push(p));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    // Dials at boot and again 10 ms after its connection closes, as the firmware's link does.
    const dialer = bundle('dialer', `function dial(){require("net").connect({host:"127.0.0.1",port:${port}},function(){}).on("close",function(){setTimeout(dial,10)})}dial();`);
    const s = sim({ board: 'linux', bundle: dialer }).boot();
    for (let i = 0; i < 50 && peers.length < 1; i++) await s.advance(10);
    s.reboot();
    for (let i = 0; i < 50; i++) await s.advance(10);
    // The first boot's connection and the second boot's, and no third from the first boot's close handler.
    expect(peers.length).toBe(2);
  } finally {
    peers.forEach((p) => p.destroy());
    await new Promise((r) => server.close(r));
  }
});
