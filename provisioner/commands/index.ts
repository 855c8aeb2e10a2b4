import type { Command } from './command.ts';
import { buildCommand } from './build.ts';

/** Every CLI command, listed explicitly (see README, "Provisioner"). */
export const commands: Command<never>[] = [buildCommand as Command<never>];
