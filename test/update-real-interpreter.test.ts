// One whole `deskphone update` (the host's real command and rollout) against
// the real 2950-variable Espruino 2v29 interpreter, Linux build, with the
// two-slot Storage that `deskphone flash` writes. The flash goes through the
// 64-bit build on a pty (as test/flash-real-interpreter does; flashing the
// 2950 build under qemu would take minutes), and its Storage file
// `espruino.flash` is then the board's flash: the same file powers the 2950
// build on. Both are the Linux target of the same source, so Storage has one
// format and place (targets/linux/jshardware.c FLASH_START, FAKE_FLASH_*).
//
// The desk receives the image into slot B, verifies and seals it, then calls
// E.reboot, which the Linux build does not have: jshReboot prints "Not
// implemented" and exits (targets/linux/jshardware.c jshReboot, after
// jswrap_espruino_reboot's jsiKill: RELEASE_2V29). Every flash write there
// opens and closes espruino.flash, so the process ending is a power cut after
// the seal; powering on is starting the interpreter again on the same file.
// It boots the new image on trial, sends its birth, and the command reports
// the desk updated and exits 0. A .boot0 sampler reads process.memory()
// meanwhile (every 100 ms and at each E.CRC32 call): the variables the
// transfer needs beside the running firmware.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { buildBoard } from '../firmware/build.ts';
import { loadBoard } from '../hardware/board.ts';
import { FlashMemory, JsfStorage } from '../hardware/sim/jsflash.ts';
import { storagePlan } from '../hardware/storage-layout.ts';
import { Tr } from '../hardware/slot-trailer.ts';
import { packageVersion } from '../lib/version.ts';
import { cli } from '../provisioner/cli.ts';
import { decodeMessage, UpdateState } from '../protocol/host-codec.ts';
import { upTopic } from '../protocol/topics.ts';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import { ESPRUINO_2950, ESPRUINO_64 } from './helpers/interpreter.ts';
import { interpreterOnPty } from './helpers/interpreter-console.ts';
import { until } from './helpers/link-io.ts';
import { requires } from './helpers/requires.ts';

requires('espruino-2950', 'espruino-64', 'socat');
const ID = 'desk-real';
/** Variables the transfer's peak leaves at least on the 2950-variable build. */
const TRANSFER_ROOM = 350;
const NEXT = '9.9.9-real';
const tmp = mkdtempSync(join(tmpdir(), 'update-real-'));
const children: ChildProcess[] = [];
let f: FlashFixture | undefined;

afterAll(async () => {
  children.forEach((c) => c.kill('SIGKILL'));
  await f?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Powers the 2950 build on in `dir` (`-e` boots .bootcde from espruino.flash there; stdin stays open, as the Linux build needs). */
function powerOn(dir: string): { out: () => string; exited: Promise<number | null> } {
  const child = spawn(ESPRUINO_2950!, ['-e', '1'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  return { out: () => out, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}

/** The sampler's figures: variables in use, each of the build's 2950. */
function samples(out: string): number[] {
  const all = [...out.matchAll(/MEM (\d+)\/(\d+)/g)];
  expect(all.every((m) => m[2] === '2950'), 'the 2950-variable build').toBe(true);
  return all.map((m) => +m[1]!);
}

it('deskphone update takes a desk on the real 2950-variable interpreter to the new version: received, verified, sealed, rebooted, healthy birth, exit 0', async () => {
  const board = loadBoard('linux');
  const built = await buildBoard(board, { version: NEXT, outDir: tmp, quiet: true, log: () => undefined });

  // deskphone flash: the two-slot layout, the old (this release's) firmware in slot A, online once.
  f = await flashFixture([{ id: ID, board: 'linux' }]);
  // issued before the broker starts, as on a site where `deskphone up` ran: issuing it later closes the sessions using it
  await f.registry.serviceCredentials('svc-admin');
  const broker = await f.startBroker();
  const flashDir = join(tmp, 'board');
  mkdirSync(flashDir);
  const device = await interpreterOnPty(ESPRUINO_64!);
  try {
    const flashed = await f.run('flash', '--port', device.tty, '--station', ID, '--broker-address', `127.0.0.1:${broker.tcpPort}`, '--online-timeout', '20');
    expect(errorOf(flashed), device.output().slice(-600)).toBe('');
    expect(flashed.out).toContain(`online with firmware ${packageVersion()}`);
    copyFileSync(join(device.dir, 'espruino.flash'), join(flashDir, 'espruino.flash'));
  } finally {
    await device.close();
  }

  // A sampler booted before the firmware (.boot0, src/jsflash.c jsfLoadBootCodeFromFlash), written into the tail of the flashed Storage.
  const plan = storagePlan(board);
  const flash = new FlashMemory({ base: plan.base, bytes: plan.bytes, page: plan.page });
  flash.image.set(readFileSync(join(flashDir, 'espruino.flash')).subarray(0, plan.bytes));
  const jsf = new JsfStorage(flash);
  expect(['dp.boot', 'dp.a', 'dp.b', '.bootcde'].filter((n) => !jsf.find(n)), 'files deskphone flash lays out').toEqual([]);
  // Every 100 ms it prints the most in use since its last line: now, and at each E.CRC32 call (where the desk checks a chunk
  // it holds and reads it back, and the whole image), which it wraps for that.
  jsf.write(
    '.boot0',
    Buffer.from(
      'var DPM=0;(function(){var c=E.CRC32;E.CRC32=function(d){var u=process.memory().usage;if(u>DPM)DPM=u;return c(d)}})();' +
        'setInterval(function(){var m=process.memory();print("MEM "+Math.max(m.usage,DPM)+"/"+m.total);DPM=0},100);',
    ),
  );
  const file = readFileSync(join(flashDir, 'espruino.flash'));
  file.set(flash.image);
  writeFileSync(join(flashDir, 'espruino.flash'), file);

  // What the desk says to the host, to find the transfer's span in the samples.
  const watch = await mqtt.connectAsync(f.broker!.url, { clientId: 'svc-host-watch', ...(await f.registry.serviceCredentials('svc-host')), reconnectPeriod: 0 });
  const said: { state: number; at: number }[] = [];
  const births: string[] = [];
  watch.on('message', (topic, payload, packet) => {
    if (topic.endsWith('/presence')) {
      // the 64-bit build's birth, kept by the broker, is no birth of this power-on
      if (packet.retain) return;
      const p = decodeMessage('Presence', payload) as { online: boolean; birth: { firmware: string; totalVars: number } | null };
      // with the interpreter's variable count: 2950 is the 32-bit build's
      if (p.online && p.birth) births.push(`${p.birth.firmware}/${p.birth.totalVars}`);
    } else said.push({ state: (decodeMessage('UpdateStatus', payload) as { state: number }).state, at: first.out().length });
  });
  await watch.subscribeAsync([upTopic(ID, 'update'), upTopic(ID, 'presence')], { qos: 1 });
  let first = powerOn(flashDir);
  const poweredOn = Date.now();
  // Ctrl-C for the command if the test ends first, so that it does not keep running beside the next file's tests.
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  try {
    await until(() => births.length > 0, 'the flashed desk online on the 2950 build', 60_000);
    const started = Date.now();
    expect(births).toEqual([`${packageVersion()}/2950`]);
    const idle = samples(first.out());

    let out = '';
    const output = { out: (t: string) => void (out += t.endsWith('\n') ? t : t + '\n'), err: (t: string) => void (out += t.endsWith('\n') ? t : t + '\n'), tty: false };
    const run = cli(['update', '--broker', broker.url, '--firmware', built.file, '--stations', ID, '--health-time', '60s'], { output, env: { DESKPHONE_HOME: f.home }, stopSignal: stopped });

    // VERIFIED, the seal, then E.reboot: the Linux build ends the process there.
    const code = await Promise.race([first.exited, new Promise<never>((_, no) => setTimeout(() => no(new Error(`the desk did not restart after the transfer; the command printed:\n${out}\nthe desk printed: ${first.out().slice(-800)}`)), 90_000))]);
    expect(first.out()).toContain('Not implemented');
    expect(code).toBe(1);
    const ready = said.find((s) => s.state === UpdateState.READY);
    const verified = said.find((s) => s.state === UpdateState.VERIFIED);
    expect(ready && verified, `the desk's answers: ${said.map((s) => s.state).join(' ')}`).toBeTruthy();
    const transfer = samples(first.out().slice(ready!.at, verified!.at));
    const transferredAt = Date.now();

    // Power on again, on the same flash: the new image boots on trial and its birth ends the run.
    first = powerOn(flashDir);
    expect(await run, out).toBe(0);
    const updatedAt = Date.now();
    expect(out).toMatch(new RegExp(`${ID}\\s+updated\\s+${packageVersion().replace(/\./g, '\\.')}\\s+${NEXT}`));
    // The run saw the birth through a client of its own; the registry learns of it through the presence tracker's.
    const registry = f.registry;
    await until(() => registry.getStation(ID)?.firmware === NEXT, 'the new birth in the registry');
    expect(registry.getStation(ID)).toMatchObject({ online: true, firmware: NEXT });
    expect(births).toEqual([`${packageVersion()}/2950`, `${NEXT}/2950`]);
    // Its birth's PUBACK marked slot B healthy: the boot selector stops counting its tries.
    await until(() => {
      flash.image.set(readFileSync(join(flashDir, 'espruino.flash')).subarray(0, plan.bytes));
      const b = jsf.find('dp.b')!;
      return flash.word(b.addr + b.size - Tr.BYTES + Tr.OK) === 0;
    }, 'the healthy word in slot B', 20_000);

    console.log(
      `deskphone update on the 2950-variable interpreter: ${built.bytes ?? readFileSync(built.file).length} B in 1,024 B chunks; ` +
        `variables in use online before the offer at most ${Math.max(...idle)}, during the transfer at most ${Math.max(...transfer)} of 2950 (${transfer.length} samples); ` +
        `power-on to birth ${((started - poweredOn) / 1000).toFixed(1)} s, birth to the reboot after VERIFIED ${((transferredAt - started) / 1000).toFixed(1)} s, power cycle to the run's end ${((updatedAt - transferredAt) / 1000).toFixed(1)} s`,
    );
    expect(transfer.length).toBeGreaterThan(0);
    // Room the transfer's peak must leave: a linux bundle that grows, or a bigger chunk, would eat into it long before
    // the desk runs out. Each copy of a 1 KB chunk takes ~100 variables; with the copies it held, the peak was
    // ~2,760-2,800 of 2,950 (~150 left), now ~2,470.
    expect(2950 - Math.max(...transfer), 'variables left at the transfer\'s peak').toBeGreaterThanOrEqual(TRANSFER_ROOM);
  } finally {
    stop();
    await watch.endAsync(true);
  }
}, 240_000);
