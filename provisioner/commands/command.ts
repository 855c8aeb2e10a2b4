import type { Argv } from 'yargs';
import type { Context } from '../context.ts';

/**
 * One CLI command per file. `handler` returns an exit code (or nothing for 0);
 * user-facing failures are thrown as UserError. A command with `subcommands`
 * (`station add`, `events http`) has no handler of its own: each subcommand
 * has its options, its help and its handler.
 */
export interface Command<A = Record<string, unknown>> {
  command: string | string[];
  describe: string;
  builder?: (y: Argv) => Argv;
  handler?: (args: A & { json: boolean }, ctx: Context) => Promise<number | void> | number | void;
  subcommands?: Command<never>[];
}

export function defineCommand<A>(command: Command<A>): Command<A> {
  return command;
}

/** The first word of a command's usage: its name. */
export function commandName(command: Command<never>): string {
  return (Array.isArray(command.command) ? command.command[0] : command.command).split(' ')[0];
}
