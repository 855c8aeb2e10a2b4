// The link on the real interpreter (the 2950-variable 32-bit Linux build, when
// installed): bundled like the firmware, it connects to the production broker,
// gets the retained snapshot, sends an action from its 'online' callback and
// reports what the session cost in variables.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterEach, expect, it } from 'vitest';
import { decode, encode } from '../protocol/device/codec.ts';
import { Action, Snapshot } from '../protocol/device/tables.generated.ts';
import { downTopic, upTopic } from '../protocol/topics.ts';
import { hostClient, startBroker, stationConfig, until } from './helpers/link-io.ts';
import { ESPRUINO_2950 } from './helpers/interpreter.ts';
import { requires } from './helpers/requires.ts';

requires('espruino-2950');
const ESPRUINO = ESPRUINO_2950!;
const ID = 'desk-real';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

// Runs in the interpreter: prints one RESULT line once the action is acknowledged, then quits.
const DRIVER = `
import { createLink } from './firmware/src/net/link.ts';
import { encode } from './protocol/device/codec.ts';
import { Action } from './protocol/device/tables.generated.ts';
declare const __CFG__: any, print: any, quit: any, process: any;
let got = '';
const link = createLink(__CFG__, { name: 'linux', network: { kind: 'native' }, budget: { variables: 2950 } }, {
  msg: (k: string, d: string) => { got += k + ':' + d.length + ' '; },
  state: (s: string) => { if (s === 'online') link.send('action', encode(Action, { key: 'r-1', kind: 1, callId: 'c-real' }), true); },
  birth: () => ({ firmware: 'real', totalVars: process.memory(false).total }),
});
const t = setInterval(() => {
  const st = link.stats();
  if (st.state !== 'online' || st.queued || !got) return;
  clearInterval(t);
  print('RESULT ' + JSON.stringify({ got: got, stats: st, mem: process.memory() }));
  link.stop();
  quit();
}, 50);
`;

const LOADER = `
var S = require("Storage"), f = E.openFile("driver.js", "r"), size = require("fs").statSync("driver.js").size, at = 0, c;
while ((c = f.read(256)) !== undefined && c.length) { S.write(".bootcde", c, at, size); at += c.length; }
f.close();
`;

it('runs a QoS 1 session on the 2950-variable interpreter', async () => {
  const broker = await startBroker('embedded', [ID]);
  cleanups.push(() => broker.close());
  const host = await hostClient(broker, upTopic(ID, 'action'), 'real');
  cleanups.push(host.end);
  const now = Date.now();
  await host.client.publishAsync(downTopic(ID, 'snap'), Buffer.from(encode(Snapshot, { station: ID, phase: 5, seq: 9, hostTimeMs: now, wrapUpDeadlineMs: now + 300_000, agent: 'Jörg' } as never)), { qos: 1, retain: true });

  const dir = mkdtempSync(join(tmpdir(), 'dp-real-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const built = await esbuild.build({
    stdin: { contents: DRIVER, loader: 'ts', resolveDir: process.cwd() },
    bundle: true, format: 'cjs', platform: 'neutral', target: 'es2015', minify: true, write: false, logLevel: 'silent',
    external: ['net', 'Storage'], banner: { js: '(function(){' }, footer: { js: '})();' },
    define: { __CFG__: JSON.stringify(stationConfig(broker, ID)) },
  });
  writeFileSync(join(dir, 'driver.js'), built.outputFiles[0].text);
  // Code goes to flash as on a device (as a RAM string it would not even fit):
  // a first run copies it into the emulated Storage as .bootcde, the second boots it.
  writeFileSync(join(dir, 'load.js'), LOADER);
  await new Promise((resolve) => spawn(ESPRUINO, ['load.js'], { cwd: dir, stdio: 'ignore' }).on('close', resolve));

  // stdin stays open: at end of input the Linux build quits.
  const child = spawn(ESPRUINO, [], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  // The REPL prompt and terminal escapes may precede the line; it may arrive in pieces, so wait for its end.
  const found = await until(() => /RESULT (\{.*\})\r?\n/.exec(out), 'the driver to report', 20000).catch((err) => {
    throw new Error(err.message + '; the interpreter printed: ' + out.slice(-600));
  });
  const result = JSON.parse(found![1]);
  expect(result.got).toMatch(/^snap:\d+ $/);
  expect(result.stats).toMatchObject({ errors: 0, connects: 1, resent: 0, duplicates: 0 });
  expect(result.mem.total).toBe(2950);
  console.log(`link on ${ESPRUINO}: ${result.mem.usage} of ${result.mem.total} variables in use (driver, codec and link run from flash, session online)`);
  await until(() => host.got.length > 0, 'the action at the host');
  expect(host.got.map((m) => (decode(Action, m.payload) as { key: string }).key)).toEqual(['r-1']);
});
