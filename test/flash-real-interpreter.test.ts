// The real Espruino interpreter (Linux build 2v29, /opt/espruino) behind a
// pseudo-terminal, flashed like a board on a USB-serial adapter: the flash
// verifies on the interpreter's own Storage and E.CRC32, the interpreter
// boots the bundle through the stub, and the station comes online at the
// embedded broker. Skipped where the interpreter or socat is not installed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { SOCAT, socatAvailable } from '../hardware/sim/repl/pty.ts';
import { firmwareVersion } from '../provisioner/flash/run.ts';
import { errorOf, flashFixture, type FlashFixture } from './helpers/flash-fixture.ts';
import { ESPRUINO_64 } from './helpers/interpreter.ts';

const INTERPRETER = ESPRUINO_64 ?? 'espruino-64 (not found)';
const available = existsSync(INTERPRETER) && socatAvailable();

let f: FlashFixture;
let socat: ChildProcess | undefined;
let dir = '';
afterEach(async () => {
  if (socat?.pid) {
    // The interpreter treats SIGTERM as Ctrl-C: end it for good, then its bridge.
    const children = readFileSync(`/proc/${socat.pid}/task/${socat.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const pid of children) process.kill(Number(pid), 'SIGKILL');
    socat.kill('SIGKILL');
  }
  await f?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test.skipIf(!available)('the real interpreter on a pty: flashed, verified, booted, online', async () => {
  dir = mkdtempSync(join(tmpdir(), 'flash-real-'));
  const tty = join(dir, 'tty');
  // The interpreter keeps its Storage in ./espruino.flash: a fresh one in the temp dir.
  socat = spawn(SOCAT, [`PTY,link=${tty},raw,echo=0`, `EXEC:${INTERPRETER},pty,raw,echo=0`], { cwd: dir, stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(tty); i++) await new Promise((r) => setTimeout(r, 20));
  f = await flashFixture([{ id: 'desk-01', board: 'linux' }]);
  const broker = await f.startBroker();

  const run = await f.run('flash', '--port', tty, '--station', 'desk-01', '--broker-address', `127.0.0.1:${broker.tcpPort}`, '--online-timeout', '20');

  expect(errorOf(run)).toBe('');
  expect(run.out).toMatch(new RegExp(`^desk-01 on ${tty}: firmware \\d+ B and config written and verified; online with firmware ${firmwareVersion()}`));
  expect(f.registry.getStation('desk-01')).toMatchObject({ online: true, firmware: firmwareVersion(), reportedBoard: 'linux' });
});
