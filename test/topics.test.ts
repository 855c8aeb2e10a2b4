import { describe, expect, it } from 'vitest';
import {
  ALL_UP,
  assertStationId,
  downFilter,
  downTopic,
  HOST_PRESENCE,
  MAX_STATION_ID_LENGTH,
  parseStationTopic,
  StationIdError,
  upTopic,
} from '../protocol/topics.ts';

describe('topic layout', () => {
  it('builds one subtree per station with separate directions', () => {
    expect(downTopic('wv-01', 'snap')).toBe('dp/v1/st/wv-01/dn/snap');
    expect(upTopic('wv-01', 'action')).toBe('dp/v1/st/wv-01/up/action');
    expect(downFilter('wv-01')).toBe('dp/v1/st/wv-01/dn/#');
    expect(ALL_UP).toBe('dp/v1/st/+/up/+');
    expect(HOST_PRESENCE).toBe('dp/v1/host/presence');
  });

  it('parses station topics and rejects others', () => {
    expect(parseStationTopic('dp/v1/st/km.7/up/lookup')).toEqual({ station: 'km.7', dir: 'up', kind: 'lookup' });
    expect(parseStationTopic('dp/v1/st/km.7/side/lookup')).toBeNull();
    expect(parseStationTopic('dp/v1/st/km/7/up/lookup')).toBeNull();
    expect(parseStationTopic('other/v1/st/a/up/x')).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['a+b', /wildcard "\+"/],
    ['a#', /wildcard "#"/],
    ['a/b', /topic separator/],
    ['x'.repeat(MAX_STATION_ID_LENGTH + 1), /longer than 32/],
    ['Platz ä', /contains " "/],
  ])('rejects station id %j with a clear error', (id, message) => {
    expect(() => assertStationId(id)).toThrow(StationIdError);
    expect(() => assertStationId(id)).toThrow(message);
  });

  it('accepts ids a technician can type', () => {
    expect(assertStationId('WV-Platz_12.a')).toBe('WV-Platz_12.a');
    expect(assertStationId('x'.repeat(MAX_STATION_ID_LENGTH))).toHaveLength(MAX_STATION_ID_LENGTH);
  });
});
