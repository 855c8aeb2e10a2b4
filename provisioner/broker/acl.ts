// Who may subscribe and publish where: the topic layout of protocol/topics.ts
// turned into permissions. Each function returns why something is refused,
// or '' when it is allowed, so the broker can log the reason.

import { DOWN, HOST_PRESENCE, ROOT, STATION_PREFIX, UP, downFilter, parseStationTopic, upTopic } from '../../protocol/topics.ts';
import type { Account } from '../registry/index.ts';

const OWN_SUBTREE = ROOT + '/';

/** What the admin tools send to desks: commands (`deskphone monitor`, flashing) and the update messages (`deskphone update`). */
export const ADMIN_DOWN_KINDS = ['cmd', 'offer', 'chunk', 'rec'] as const satisfies readonly (keyof typeof DOWN)[];

/** Retained messages are for state a reconnecting client needs at once, nothing else. */
function retainable(topic: string): boolean {
  if (topic === HOST_PRESENCE) return true;
  const parsed = parseStationTopic(topic);
  return parsed !== null && ((parsed.dir === 'dn' && parsed.kind === 'snap') || (parsed.dir === 'up' && parsed.kind === 'presence'));
}

export function subscribeProblem(account: Account, filter: string): string {
  switch (account.role) {
    case 'station': {
      const own = STATION_PREFIX + account.username + '/dn/';
      if (filter === downFilter(account.username) || filter.startsWith(own) || filter === HOST_PRESENCE) return '';
      return `station may subscribe only to ${downFilter(account.username)} and ${HOST_PRESENCE}`;
    }
    case 'host':
    case 'admin':
      return filter.startsWith(OWN_SUBTREE) ? '' : `service accounts subscribe only under ${OWN_SUBTREE}`;
  }
}

export function publishProblem(account: Account, topic: string, retain: boolean): string {
  if (retain && !retainable(topic)) return `retained publish to ${topic} (only snapshots and presence are retained)`;
  switch (account.role) {
    case 'station': {
      const kinds = Object.keys(UP) as (keyof typeof UP)[];
      if (kinds.some((kind) => topic === upTopic(account.username, kind))) return '';
      return `station may publish only to its own ${STATION_PREFIX}${account.username}/up/{${kinds.join(',')}}`;
    }
    case 'host':
      return topic.startsWith(OWN_SUBTREE) ? '' : `host publishes only under ${OWN_SUBTREE}`;
    case 'admin': {
      const parsed = parseStationTopic(topic);
      if (parsed && parsed.dir === 'dn' && (ADMIN_DOWN_KINDS as readonly string[]).includes(parsed.kind)) return '';
      return `admin tools may publish only ${ADMIN_DOWN_KINDS.map((k) => 'dn/' + k).join(', ')}`;
    }
  }
}

/** A last will is the death half of presence: only the account's own presence topic. */
export function willProblem(account: Account, will: { topic: string; retain: boolean }): string {
  const presence = account.role === 'station' ? upTopic(account.username, 'presence') : account.role === 'host' ? HOST_PRESENCE : '';
  if (will.topic !== presence) return presence ? `last will only on ${presence}` : 'this account may not set a last will';
  return publishProblem(account, will.topic, will.retain);
}
