// A simulated device behind a pseudo-terminal, the way a board behind a
// USB-serial adapter looks to the host, using socat (Debian package `socat`):
//
//   ptyForRepl:  <dir>/ttyDP  (raw pty)  <->  the REPL's TCP port
//   tcpForPty:   127.0.0.1:<port>        <->  a pty path
//
// The first gives `deskphone flash --port <pty>` a serial port to open; the
// second is the bridge the `espruino` CLI needs for a pty, which it cannot
// open directly (udev does not list it): `espruino -p tcp://127.0.0.1:<port>`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SOCAT = '/usr/bin/socat';

export interface Bridge {
  /** The pty path (ptyForRepl) or tcp:// URL (tcpForPty) to connect to. */
  address: string;
  close(): Promise<void>;
}

export function socatAvailable(): boolean {
  return existsSync(SOCAT);
}

/** A pty whose other side is the REPL at 127.0.0.1:replPort. */
export async function ptyForRepl(replPort: number): Promise<Bridge> {
  const dir = mkdtempSync(join(tmpdir(), 'deskphone-pty-'));
  const path = join(dir, 'ttyDP');
  const child = startSocat([`PTY,link=${path},raw,echo=0`, `TCP:127.0.0.1:${replPort}`]);
  await waitUntil(() => existsSync(path), child, `socat did not create ${path}`);
  return {
    address: path,
    close: async () => {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP port on 127.0.0.1 that carries bytes to and from the pty at `ptyPath`. */
export async function tcpForPty(ptyPath: string): Promise<Bridge> {
  const port = await freePort();
  const child = startSocat([`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, `FILE:${ptyPath},raw,echo=0`]);
  await waitUntil(() => canConnect(port), child, `socat did not listen on ${port}`);
  return { address: `tcp://127.0.0.1:${port}`, close: () => stop(child) };
}

function startSocat(args: string[]): ChildProcess {
  if (!socatAvailable()) throw new Error(`${SOCAT} is missing: apt-get install socat`);
  return spawn(SOCAT, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function waitUntil(test: () => boolean | Promise<boolean>, child: ChildProcess, failure: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 30));
  }
  await stop(child);
  throw new Error(`${failure}${stderr ? ': ' + stderr.trim() : ''}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // A probe connection would be bridged to the pty and end the single-use listener, so only check the port is bound.
    const probe = net.createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
