import { hostname } from 'node:os';
import { UserError } from '../../lib/user-error.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `host:port`, `[v6]:port` or a bare port (loopback). */
export function parseListen(text: string, option: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new UserError(`${option} "${text}" is not host:port`, `write it like ${option} 127.0.0.1:1883 (port 0 picks a free one)`);
  }
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The --broker-address the desks are given unless told otherwise: this
 * machine's host name and the MQTT port. The help says where it comes from,
 * since "vm:1883" alone does not.
 */
export const DEVICE_BROKER_ADDRESS = {
  default: `${hostname()}:1883`,
  defaultDescription: `this machine's host name and port 1883, here "${hostname()}:1883"`,
};
