// The simulated device's console answers the bytes the espruino CLI sends the
// way the interpreter does (hardware/docs/board-facts.md, "The console"): the prompt probe,
// echo and `=result` for typed lines, none for DLE lines, ESC [n d dropped,
// ESC LF inside a statement, continuation, Ctrl-C, UTF-8 from tcp://, and
// Storage's own error for a rewrite with different data.
import net from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { startReplDevice, type ReplFixture } from './helpers/repl-device.ts';

let device: ReplFixture;
let socket: net.Socket;
afterEach(async () => {
  socket?.destroy();
  await device?.close();
});

async function console_(): Promise<(send: string | Buffer, until: string) => Promise<string>> {
  socket = net.connect(device.repl.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  return async (send, until) => {
    received = '';
    socket.write(send);
    for (let i = 0; i < 200 && !received.includes(until); i++) await new Promise((r) => setTimeout(r, 10));
    return received;
  };
}

test('console bytes as the interpreter answers them', async () => {
  device = await startReplDevice('linux');
  const send = await console_();

  expect(await send('\n', '>')).toBe('\r\n>');
  expect(await send('1+2\n', '>')).toBe('1+2\r\n=3\r\n>');
  // The CLI's board query (without --board): strict JSON between the markers, a console that is not USB.
  const env = await send('\x10print("<","<<",JSON.stringify(process.env),">>",">")\n', '>> >');
  const json = JSON.parse(/< <<(.*)>> >/.exec(env)![1]);
  expect(json).toMatchObject({ BOARD: 'LINUX', VERSION: '2v29', CONSOLE: 'Serial1' });
  expect(json.MODULES.split(',')).toContain('Storage');
  expect(await send('\x10var quiet = 5;\n\x10print(quiet)\n', '>')).toBe('5\r\n>');
  expect(await send('print(1,\n', ':')).toBe('\r\n:');
  expect(await send('2)\n', '>')).toContain('1 2\r\n');
  expect(await send('print(7,\x03', '>')).toBe('\r\n>');
  expect(await send('\x10\x1b[12dfunction f() {\x1b\n  return "ok";\x1b\n}\n\x10print(f())\n', '>')).toBe('ok\r\n>');
  // "€" arrives UTF-8-encoded over tcp://; a lone 0xE9 (é from a serial port) is one character.
  expect(await send(Buffer.from('\x10print("\u20ac".length, "\u20ac".charCodeAt(0))\n', 'utf8'), '>')).toBe('1 8364\r\n>');
  expect(await send(Buffer.from([0x10, ...Buffer.from('print("'), 0xe9, ...Buffer.from('".charCodeAt(0))\n')]), '>')).toBe('233\r\n>');
  // A UTF-8 sequence cut between two TCP segments is still one character.
  const euro = Buffer.from('\x10print("\u20ac".charCodeAt(0))\n', 'utf8');
  socket.write(euro.subarray(0, 9));
  await new Promise((r) => setTimeout(r, 50));
  expect(await send(euro.subarray(9), '>')).toBe('8364\r\n>');
  const storage = (lines: string) => send(lines + '\x10print("done")\n', 'done');
  // Bytes already written cannot be written again, not even with the same data (src/jsflash.c jsfWriteFile
  // wants them erased; measured on 2v29); 0xFF bytes take anything.
  expect(await storage('\x10require("Storage").write("f","abc",0,6)\n\x10require("Storage").write("f","de",3)\n')).toBe('done\r\n>');
  expect(await storage('\x10require("Storage").write("f","bc",1)\n')).toMatch(/^Uncaught Error: File already written with different data\r\n>/);
  expect(await storage('\x10require("Storage").write("f","toolong",3)\n')).toMatch(/^Uncaught Error: Too much data for file size\r\n>/);
  // Offset 0 without a size starts the file again.
  expect(await storage('\x10require("Storage").write("f","new",0)\n\x10print(require("Storage").read("f"))\n')).toBe('new\r\n>done\r\n>');
});
