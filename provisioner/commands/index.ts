import type { Command } from './command.ts';
import { buildCommand } from './build.ts';
import { simCommand } from './sim.ts';
import accountsCommand from './accounts.ts';
import auditCommand from './audit.ts';
import eventsCommand from './events.ts';
import monitorCommand from './monitor.ts';
import serviceCommand from './service.ts';
import ticketsCommand from './tickets.ts';
import brokerCommand from './broker.ts';
import externalBrokerCommand from './external-broker.ts';
import stationCommand from './station.ts';
import protoCommand from './proto.ts';
import { flashCommand } from './flash.ts';
import { portsCommand } from './ports.ts';
import { deviceCommand } from './device.ts';
import upCommand from './up.ts';
import updateCommand from './update.ts';

/** Every CLI command, listed explicitly (see README, "Provisioner"). */
export const commands: Command<never>[] = [buildCommand as Command<never>, simCommand as Command<never>, serviceCommand as Command<never>, eventsCommand as Command<never>, accountsCommand as Command<never>, auditCommand as Command<never>, ticketsCommand as Command<never>, monitorCommand as Command<never>, brokerCommand as Command<never>, externalBrokerCommand as Command<never>, stationCommand as Command<never>, protoCommand as Command<never>, flashCommand as Command<never>, portsCommand as Command<never>, deviceCommand as Command<never>, upCommand as Command<never>, updateCommand as Command<never>];
