import type { Command } from './command.ts';
import { buildCommand } from './build.ts';
import eventsCommand from './events.ts';
import serviceCommand from './service.ts';

/** Every CLI command, listed explicitly (see README, "Provisioner"). */
export const commands: Command<never>[] = [buildCommand as Command<never>, serviceCommand as Command<never>, eventsCommand as Command<never>];
