import type { LevelWithSilent } from 'pino';
import type { Argv } from 'yargs';
import { BROKER_DEFAULTS, startBroker, type BrokerStatus } from '../broker/index.ts';
import { hostLogger } from '../logging.ts';
import { openDataDir } from '../data-dir.ts';
import { trackBrokerPresence } from '../presence.ts';
import { UserError } from '../../lib/user-error.ts';
import { defineCommand } from './command.ts';

export interface BrokerArgs {
  listen: string;
  ws?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsListen: string;
  maxPacketSize: number;
  maxConnections: number;
  logLevel: LevelWithSilent;
  json: boolean;
}

export default defineCommand<BrokerArgs>({
  command: 'broker',
  describe: 'Run the MQTT broker for the desk modules until Ctrl-C (station credentials, topic ACLs, durable sessions)',
  builder: (y: Argv) =>
    y
      .option('listen', { type: 'string', default: BROKER_DEFAULTS.listen, describe: 'MQTT over TCP, host:port (0.0.0.0:1883 to reach it from the network)' })
      .option('ws', { type: 'string', describe: 'Also MQTT over WebSocket at host:port (for browser pages)' })
      .option('tls-cert', { type: 'string', describe: 'PEM certificate: also listen for MQTT over TLS' })
      .option('tls-key', { type: 'string', describe: 'PEM private key for --tls-cert' })
      .option('tls-listen', { type: 'string', default: BROKER_DEFAULTS.tlsListen, describe: 'host:port for MQTT over TLS' })
      .option('max-packet-size', { type: 'number', default: BROKER_DEFAULTS.maxPacketSize, describe: 'Largest MQTT packet in bytes; a bigger one cuts the connection' })
      .option('max-connections', { type: 'number', default: BROKER_DEFAULTS.maxConnections, describe: 'Open connections at most' })
      .option('log-level', { choices: ['debug', 'info', 'warn', 'error', 'silent'], default: 'info', describe: 'Log lines (JSON, on stderr)' }) as Argv,
  handler: async (args, ctx) => {
    if (Boolean(args.tlsCert) !== Boolean(args.tlsKey)) {
      throw new UserError('TLS needs both a certificate and its key', 'give --tls-cert <pem> and --tls-key <pem> together');
    }
    const logger = hostLogger('broker', args.logLevel);
    const broker = await startBroker({
      dataDir: openDataDir(ctx),
      listen: args.listen,
      ws: args.ws,
      tls: args.tlsCert && args.tlsKey ? { cert: args.tlsCert, key: args.tlsKey, listen: args.tlsListen } : undefined,
      maxPacketSize: args.maxPacketSize,
      maxConnections: args.maxConnections,
      logger,
    });
    try {
      const presence = await trackBrokerPresence(broker, logger);
      ctx.output.out(args.json ? JSON.stringify(broker.status()) : describeStatus(broker.status()));
      await ctx.stopSignal;
      await presence.close();
    } finally {
      await broker.close();
    }
  },
});

function describeStatus(s: BrokerStatus): string {
  return [
    `broker running for ${s.stations} station(s); Ctrl-C stops it`,
    `  mqtt  ${s.mqtt}`,
    s.mqtts ? `  mqtts ${s.mqtts}` : '',
    s.ws ? `  ws    ${s.ws}` : '',
    `  data  ${s.dataDir}`,
  ]
    .filter(Boolean)
    .join('\n');
}
