import yargs, { type Argv } from 'yargs';
import { commandName, type Command } from './commands/command.ts';
import { commands } from './commands/index.ts';
import { processOutput, type Context } from './context.ts';
import { isUserError } from '../lib/user-error.ts';

/**
 * Runs one CLI invocation and returns its exit code. Never calls process.exit,
 * so tests and the main job can call it in-process.
 */
export async function cli(argv: string[], ctx: Context): Promise<number> {
  let exitCode = 0;
  let parser: Argv = yargs(argv)
    .scriptName('deskphone')
    .strict()
    .demandCommand(1, 'Name a command; `deskphone --help` lists them.')
    .recommendCommands()
    .option('json', { type: 'boolean', default: false, describe: 'Machine-readable output' })
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  /** A command for yargs: its handler reports the exit code; subcommands are registered inside its builder. */
  const toYargs = (command: Command<never>) => ({
    command: command.command,
    describe: command.describe,
    builder: (y: Argv) => {
      const own = command.builder ? command.builder(y) : y;
      if (!command.subcommands) return own;
      const names = command.subcommands.map(commandName);
      return command.subcommands.reduce((p, sub) => p.command(toYargs(sub) as never), own).demandCommand(1, `Name what to do: ${names.join(', ')}.`);
    },
    handler: async (args: Record<string, unknown>) => {
      const result = await command.handler?.(args as never, ctx);
      if (typeof result === 'number') exitCode = result;
    },
  });
  for (const command of commands) parser = parser.command(toYargs(command) as never);
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (err) {
    if (isUserError(err)) {
      ctx.output.err(`error: ${err.message}\n  fix: ${err.fix}`);
      return err.exitCode;
    }
    if (err instanceof UsageError) {
      const path = commandPath(argv);
      // yargs names only its guess for a mistyped command, not the word it could not place
      const problem = err.message.startsWith('Did you mean') ? `no command "${argv[path.length]}"; ${err.message}` : err.message;
      ctx.output.err(`error: ${problem}\n  fix: see \`${['deskphone', ...path].join(' ')} --help\``);
      return 2;
    }
    ctx.output.err(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return 1;
  }
}

class UsageError extends Error {}

/** The command and subcommand an invocation names (`station add`), for pointing at the help that fits. */
function commandPath(argv: string[]): string[] {
  const path: string[] = [];
  let level: Command<never>[] | undefined = commands;
  for (const word of argv) {
    const command: Command<never> | undefined = level?.find((c) => commandName(c) === word);
    if (!command) break;
    path.push(word);
    level = command.subcommands;
  }
  return path;
}

/**
 * Entry point for bin/deskphone.js: wires the process's streams and Ctrl-C.
 * Only commands that wait for Ctrl-C to stop cleanly (broker, up, monitor, …)
 * take it over; for every other command (flash, imports) Ctrl-C keeps its
 * default meaning and ends the process at once.
 */
export async function main(argv: string[]): Promise<number> {
  let stopSignal: Promise<void> | undefined;
  const ctx: Context = {
    output: processOutput,
    env: process.env,
    get stopSignal() {
      stopSignal ??= new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return stopSignal;
    },
  };
  return cli(argv, ctx);
}
