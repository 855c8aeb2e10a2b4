// The MQTT topic layout, the one place host, tests and the firmware build take
// topic strings from. Written in the Espruino subset because the firmware
// bundles it.
//
//   dp/v1/host/presence            HostPresence  host -> all    retained
//   dp/v1/st/<id>/dn/snap          Snapshot      host -> device retained
//   dp/v1/st/<id>/dn/lookup        LookupResult  host -> device never retained
//   dp/v1/st/<id>/dn/ack           ActionAck     host -> device
//   dp/v1/st/<id>/dn/cmd           Command       host -> device
//   dp/v1/st/<id>/dn/offer         UpdateOffer   host -> device never retained
//   dp/v1/st/<id>/dn/chunk         UpdateChunk   host -> device never retained
//   dp/v1/st/<id>/dn/rec           RecoveryCode  host -> device never retained
//   dp/v1/st/<id>/up/presence      Presence      device -> host retained (birth, last will)
//   dp/v1/st/<id>/up/lookup        LookupRequest device -> host
//   dp/v1/st/<id>/up/action        Action        device -> host
//   dp/v1/st/<id>/up/sync          SyncRequest   device -> host
//   dp/v1/st/<id>/up/update        UpdateStatus  device -> host
//
// A station's credentials allow subscribing to its own dn/# and the host
// presence, and publishing to its own up/<kind> only (see provisioner ACL).

export const ROOT = 'dp/v1';
export const HOST_PRESENCE = ROOT + '/host/presence';
export const STATION_PREFIX = ROOT + '/st/';
export const MAX_STATION_ID_LENGTH = 32;

/** Downlink kinds (host -> device) and the message type each carries. */
export const DOWN = { snap: 'Snapshot', lookup: 'LookupResult', ack: 'ActionAck', cmd: 'Command', offer: 'UpdateOffer', chunk: 'UpdateChunk', rec: 'RecoveryCode' };
/** Uplink kinds (device -> host) and the message type each carries. */
export const UP = { presence: 'Presence', lookup: 'LookupRequest', action: 'Action', sync: 'SyncRequest', update: 'UpdateStatus' };

export type DownKind = keyof typeof DOWN;
export type UpKind = keyof typeof UP;

/**
 * Why a station id is unusable, or '' when it is fine. Ids become topic levels
 * and MQTT client ids, so wildcards and separators are out; the alphabet is
 * kept to what a technician can type and read off a label.
 */
export function stationIdProblem(id: string): string {
  if (typeof id !== 'string' || id.length === 0) return 'station id is empty';
  if (id.length > MAX_STATION_ID_LENGTH) return 'station id "' + id + '" is longer than ' + MAX_STATION_ID_LENGTH + ' characters';
  for (let i = 0; i < id.length; i++) {
    const c = id.charAt(i);
    if (c === '+' || c === '#') return 'station id "' + id + '" contains the MQTT wildcard "' + c + '"';
    if (c === '/') return 'station id "' + id + '" contains "/", the MQTT topic separator';
    const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '-' || c === '_' || c === '.';
    if (!ok) return 'station id "' + id + '" contains "' + c + '"; use letters, digits, "-", "_" or "."';
  }
  return '';
}

export class StationIdError extends Error {}

/** Throws StationIdError with a readable message for an unusable id. */
export function assertStationId(id: string): string {
  const problem = stationIdProblem(id);
  if (problem) throw new StationIdError(problem + ' (allowed: 1-' + MAX_STATION_ID_LENGTH + ' of A-Z a-z 0-9 - _ .)');
  return id;
}

export function stationRoot(id: string): string {
  return STATION_PREFIX + id;
}

export function downTopic(id: string, kind: DownKind): string {
  return STATION_PREFIX + id + '/dn/' + kind;
}

export function upTopic(id: string, kind: UpKind): string {
  return STATION_PREFIX + id + '/up/' + kind;
}

/** The filter a station subscribes to for everything addressed to it. */
export function downFilter(id: string): string {
  return STATION_PREFIX + id + '/dn/#';
}

/** Filters the host subscribes to for all stations' uplink. */
export const ALL_UP = STATION_PREFIX + '+/up/+';

/** Splits a station topic into station id, direction and kind; null if it is not one. */
export function parseStationTopic(topic: string): { station: string; dir: 'dn' | 'up'; kind: string } | null {
  if (topic.indexOf(STATION_PREFIX) !== 0) return null;
  const parts = topic.substring(STATION_PREFIX.length).split('/');
  if (parts.length !== 3) return null;
  const dir = parts[1];
  if (dir !== 'dn' && dir !== 'up') return null;
  if (stationIdProblem(parts[0])) return null;
  return { station: parts[0], dir: dir, kind: parts[2] };
}
