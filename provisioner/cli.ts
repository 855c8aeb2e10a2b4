import yargs, { type Argv } from 'yargs';
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
  for (const command of commands) {
    parser = parser.command({
      command: command.command,
      describe: command.describe,
      builder: command.builder,
      handler: async (args: Record<string, unknown>) => {
        const result = await command.handler(args as never, ctx);
        if (typeof result === 'number') exitCode = result;
      },
    } as never);
  }
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (err) {
    if (isUserError(err)) {
      ctx.output.err(`error: ${err.message}\n  fix: ${err.fix}`);
      return err.exitCode;
    }
    if (err instanceof UsageError) {
      ctx.output.err(`error: ${err.message}\n  fix: see \`deskphone --help\``);
      return 2;
    }
    ctx.output.err(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return 1;
  }
}

class UsageError extends Error {}

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
