import type { Command } from './command.ts';

/** Every CLI command, listed explicitly (see README, "Provisioner"). */
export const commands: Command<never>[] = [];
