// The demo site: a handful of stations across both areas, registered like real
// ones (hashed secrets in the registry), with their device configs (holding
// the secret, 0600) in <data dir>/demo/ where the virtual desks read them,
// as a technician's flashing run would leave them on real modules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviceConfig, deviceConfigProblems, type DeviceConfig } from '../../protocol/device-config.ts';
import type { AreaCode, IssuedSecret, NewStation, Registry } from '../registry/index.ts';
import { PrivateFile } from '../registry/private-file.ts';

export const DEMO_DIR = 'demo';
export const DEFAULT_DEMO_STATIONS = 8;
/** Every fourth desk is a Pixl.js (4 buttons), the rest run the Linux board profile. */
const PIXL_EVERY = 4;

export interface DemoStation {
  id: string;
  board: string;
  config: DeviceConfig;
}

/** wv-01.., km-01..: half the desks per area, the first desk of each area also takes the other. */
export function demoStationPlan(count: number): NewStation[] {
  const plan: NewStation[] = [];
  const perArea = { WV: Math.ceil(count / 2), KM: Math.floor(count / 2) };
  for (const area of ['WV', 'KM'] as AreaCode[]) {
    const other: AreaCode = area === 'WV' ? 'KM' : 'WV';
    for (let n = 1; n <= perArea[area]; n++) {
      const id = `${area.toLowerCase()}-${String(n).padStart(n > 99 ? 3 : 2, '0')}`;
      plan.push({
        id,
        name: `${area === 'WV' ? 'Wasserversorgung' : 'Kundenmanagement'} Platz ${n}`,
        areas: n === 1 ? [area, other] : [area],
        board: n % PIXL_EVERY === 0 ? 'pixljs-w5100' : 'linux',
      });
    }
  }
  return plan;
}

function configPath(dir: string, id: string): string {
  return join(dir, DEMO_DIR, `${id}.json`);
}

function readConfig(dir: string, id: string): DeviceConfig | null {
  try {
    const config = JSON.parse(readFileSync(configPath(dir, id), 'utf8')) as DeviceConfig;
    return deviceConfigProblems(config).length === 0 ? config : null;
  } catch {
    return null;
  }
}

function configFor(station: NewStation, issued: IssuedSecret, broker: { host: string; port: number }): DeviceConfig {
  return deviceConfig({ id: station.id, board: station.board ?? 'linux', host: broker.host, port: broker.port, pass: issued.secret });
}

/**
 * Registers the demo stations that are missing and issues a new secret for a
 * demo station whose config file is gone; keeps everything else as it is, so
 * a second `up --demo` finds the same stations with the same secrets.
 */
export async function provisionDemoSite(registry: Registry, dir: string, count: number, broker: { host: string; port: number }): Promise<DemoStation[]> {
  const plan = demoStationPlan(count);
  // A demo desk registered under a board profile that has since been renamed
  // (pixljs-w5500 became pixljs-w5100) is registered afresh with its new board.
  for (const s of plan) {
    const registered = registry.getStation(s.id);
    if (registered && registered.board !== s.board) registry.removeStation(s.id);
  }
  const missing = plan.filter((s) => !registry.getStation(s.id));
  if (missing.length > 0) {
    const files = missing.map((s) => new PrivateFile(configPath(dir, s.id)));
    try {
      await registry.addStations(missing, (issued) => issued.forEach((i, n) => files[n].stage(JSON.stringify(configFor(missing[n], i, broker)) + '\n')));
      for (const file of files) file.commit();
    } catch (err) {
      for (const file of files) file.abort();
      throw err;
    }
  }
  const result: DemoStation[] = [];
  for (const station of plan) {
    let config = readConfig(dir, station.id);
    if (!config) {
      const file = new PrivateFile(configPath(dir, station.id));
      try {
        await registry.rotateSecret(station.id, (issued) => file.stage(JSON.stringify(configFor(station, issued, broker)) + '\n'));
        file.commit();
      } catch (err) {
        file.abort();
        throw err;
      }
      config = readConfig(dir, station.id) as DeviceConfig;
    }
    result.push({ id: station.id, board: config.board, config });
  }
  return result;
}
