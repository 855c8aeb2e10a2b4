// up/presence: a desk's birth or last will. The registry's online flag is the
// presence tracker's (provisioner/presence.ts); the service only gives a desk
// registered after the host started its first snapshot when it comes online.
import type { UplinkContext } from './context.ts';

export function handlePresence(ctx: UplinkContext, station: string, msg: Record<string, unknown>): void {
  if (msg.online && !ctx.stations.get(station)) ctx.stations.apply(() => [ctx.stations.current(station)]);
}
