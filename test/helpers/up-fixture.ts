// `deskphone up` started in-process on free ports with its own data directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUpArgs } from '../../provisioner/commands/up.ts';
import type { Context } from '../../provisioner/context.ts';
import { startUp, type UpHandle } from '../../provisioner/up/index.ts';

export interface UpFixture {
  up: UpHandle;
  home: string;
  log: string[];
  close(): Promise<void>;
}

export async function startUpFixture(argv: string[]): Promise<UpFixture> {
  const home = mkdtempSync(join(tmpdir(), 'deskphone-up-'));
  const log: string[] = [];
  const ctx: Context = {
    output: { out: (t) => log.push(t), err: (t) => log.push(t), tty: false },
    env: { DESKPHONE_HOME: home },
    stopSignal: new Promise(() => {}),
  };
  const up = await startUp(parseUpArgs(['--http', '127.0.0.1:0', '--listen', '127.0.0.1:0', ...argv]), ctx);
  return {
    up,
    home,
    log,
    async close() {
      await up.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, tries = 200, everyMs = 50): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error('gave up waiting for ' + what);
}
