// One handler per kind of uplink, as aedes keeps one per packet type.
import type { UpKind } from '../../../protocol/topics.ts';
import { handleAction } from './action.ts';
import type { UplinkHandler } from './context.ts';
import { handleLookup } from './lookup.ts';
import { handlePresence } from './presence.ts';
import { handleSync } from './sync.ts';

export const UPLINK_HANDLERS: Record<UpKind, UplinkHandler> = {
  lookup: handleLookup,
  action: handleAction,
  sync: handleSync,
  presence: handlePresence,
  // Read by the update run that asked (docs/updates.md), not by the station service.
  update: () => {},
};
