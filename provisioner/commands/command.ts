import type { Argv } from 'yargs';
import type { Context } from '../context.ts';

/**
 * One CLI command per file. `handler` returns an exit code (or nothing for 0);
 * user-facing failures are thrown as UserError.
 */
export interface Command<A = Record<string, unknown>> {
  command: string | string[];
  describe: string;
  builder?: (y: Argv) => Argv;
  handler: (args: A & { json: boolean }, ctx: Context) => Promise<number | void> | number | void;
}

export function defineCommand<A>(command: Command<A>): Command<A> {
  return command;
}
