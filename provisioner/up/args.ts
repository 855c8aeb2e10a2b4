// What `deskphone up` is asked to run (commands/up.ts parses it).
import type { ServiceArgs } from '../options/service.ts';
import type { EventSource } from '../service/sources/source.ts';

export interface UpArgs extends Omit<ServiceArgs, 'broker'> {
  /** The site's own broker; the embedded one when absent. */
  broker?: string;
  demo: boolean;
  /** MQTT over TCP, host:port. */
  listen: string;
  /** MQTT over WebSocket, host:port; off unless given. */
  ws?: string;
  /** Dashboard, host:port. */
  http: string;
  /** Demo stations to provision and simulate. */
  stations: number;
  /** Demo: simulated calls (off only for tests that place their own). */
  demoCalls: boolean;
  /** Demo: virtual agents pressing keys (off only for tests that press their own). */
  demoAgents: boolean;
  /** Demo: simulated seconds per real second for ring and talk times. */
  demoSpeed: number;
  /** Extra event sources (e.g. the webhook) started with the service. */
  sources?: EventSource[];
}
