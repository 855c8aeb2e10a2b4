// --wrap-up-area takes any area of the catalogue as AREA=SECONDS, not one flag per area.
import { expect, it } from 'vitest';
import { Area } from '../protocol/host-codec.ts';
import { wrapUpByArea } from '../provisioner/options/service.ts';

it('reads AREA=SECONDS for any area, once each, within the wrap-up range', () => {
  expect(wrapUpByArea({ wrapUpArea: ['KM=240', 'wv=90'] })).toEqual({ [Area.KM]: 240, [Area.WV]: 90 });
  expect(wrapUpByArea({})).toEqual({});
  expect(() => wrapUpByArea({ wrapUpArea: ['XX=10'] })).toThrow('--wrap-up-area "XX=10" is not AREA=SECONDS');
  expect(() => wrapUpByArea({ wrapUpArea: ['KM240'] })).toThrow('is not AREA=SECONDS');
  expect(() => wrapUpByArea({ wrapUpArea: ['KM=0'] })).toThrow('--wrap-up-area KM=0 is out of range');
  expect(() => wrapUpByArea({ wrapUpArea: ['KM=60', 'km=90'] })).toThrow('--wrap-up-area names KM twice');
});
