// Debian's mosquitto for interop tests: a generated config and password file
// in a temp dir, a free loopback port, persistence on (durable sessions
// survive a kill -9 and restart on the same port, like a broker crash).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Mosquitto {
  port: number;
  dir: string;
  /** kill -9: no clean shutdown, no chance to write anything. */
  kill(): Promise<void>;
  /** Starts again on the same port with the same config and data dir. */
  restart(): Promise<void>;
  /** Stops and removes the temp dir. */
  stop(): Promise<void>;
}

/** Debian's mosquitto package ships its dynamic-security plugin in the machine's multiarch folder (/usr/lib/x86_64-linux-gnu on amd64); null without it. */
export function dynamicSecurityPlugin(): string | null {
  const name = 'mosquitto_dynamic_security.so';
  let multiarch: string[] = [];
  try {
    multiarch = readdirSync('/usr/lib').filter((d) => d.endsWith('-linux-gnu'));
  } catch {
    // no /usr/lib: no Debian mosquitto either
  }
  return multiarch.map((d) => join('/usr/lib', d, name)).find((f) => existsSync(f)) ?? null;
}

export interface MosquittoOptions {
  /** user -> password (a password file); ignored with dynamicSecurity. */
  users: Record<string, string>;
  /** Accounts and ACLs from the dynamic-security plugin instead, starting with this admin. */
  dynamicSecurity?: { admin: string; password: string };
  /** Extra mosquitto.conf lines (ACLs etc.). */
  extraConfig?: string[];
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export async function startMosquitto(opts: MosquittoOptions): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'dp-mosq-'));
  const passwd = join(dir, 'passwd');
  let auth = [`password_file ${passwd}`];
  if (opts.dynamicSecurity) {
    const config = join(dir, 'dynamic-security.json');
    execFileSync('mosquitto_ctrl', ['dynsec', 'init', config, opts.dynamicSecurity.admin, opts.dynamicSecurity.password], { stdio: 'pipe' });
    const plugin = dynamicSecurityPlugin();
    if (!plugin) throw new Error("no mosquitto_dynamic_security.so in /usr/lib/*-linux-gnu: install Debian's mosquitto package");
    auth = [`plugin ${plugin}`, `plugin_opt_config_file ${config}`];
  } else {
    writeFileSync(passwd, '', { mode: 0o600 });
    for (const [user, pass] of Object.entries(opts.users)) execFileSync('mosquitto_passwd', ['-b', passwd, user, pass], { stdio: 'pipe' });
  }
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    // Run as whoever runs the tests: as root mosquitto would switch to its own
    // user, which can't read the temp dir.
    `user ${userInfo().username}`,
    'allow_anonymous false',
    ...auth,
    'persistence true',
    `persistence_location ${dir}/`,
    // Save on every change: the restart test kills -9 and expects the session back.
    'autosave_interval 1',
    'autosave_on_changes true',
    'max_inflight_messages 20',
    'log_dest stderr',
    'log_type error',
    ...(opts.extraConfig ?? []),
  ].join('\n') + '\n');

  let child: ChildProcess | null = null;
  let stderr = '';
  const launch = async () => {
    child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d) => { stderr += d; });
    await waitForPort(port, () => stderr);
  };
  const halt = async (signal: NodeJS.Signals) => {
    const c = child as ChildProcess | null;
    child = null;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await gone;
  };
  try {
    await launch();
  } catch (err) {
    await halt('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    dir,
    kill: () => halt('SIGKILL'),
    restart: launch,
    async stop() {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('mosquitto did not open port ' + port + ': ' + log());
}
