import { homedir } from 'node:os';
import { resolve } from 'node:path';

/** Where a command writes: injected so tests capture output instead of a terminal. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress bars, live tables). */
  tty: boolean;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  tty: Boolean(process.stdout.isTTY),
};

/** The data directory: ./.deskphone by default, DESKPHONE_HOME to move it. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.DESKPHONE_HOME;
  if (home) return resolve(home.startsWith('~/') ? homedir() + home.slice(1) : home);
  return resolve('.deskphone');
}

export interface Context {
  output: Output;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks a long-running command to stop (Ctrl-C). */
  stopSignal: Promise<void>;
}
