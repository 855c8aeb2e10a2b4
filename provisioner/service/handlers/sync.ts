// up/sync: a desk missed a snapshot (a gap in seq, a bad packet, a restart)
// and asks for its station's current one again.
import type { UplinkContext } from './context.ts';

export function handleSync(ctx: UplinkContext, station: string): void {
  ctx.stations.apply(() => [ctx.stations.current(station)]);
}
