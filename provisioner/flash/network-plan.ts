// The site's network plan for wired desks, as `deskphone flash --network-plan`
// reads it: one CSV row per station with its static address (no DHCP on that
// desk) and, optionally, the MAC to use (e.g. from the shield's sticker; else
// the desk derives one from its Bluetooth address). hardware/docs/network-plan.md
// explains the columns. Every row is checked before any device is touched:
// a bad address, or an address or MAC given twice, rejects the file.
import { readFileSync } from 'node:fs';
import { UserError } from '../../lib/user-error.ts';
import { readCsvTable } from '../csv.ts';

export const NETWORK_PLAN_COLUMNS = ['station', 'ip', 'mask', 'gateway', 'dns', 'mac'] as const;

export interface PlannedAddress {
  ip?: string;
  mask?: string;
  gw?: string;
  dns?: string;
  mac?: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** A netmask is contiguous ones, then zeros. */
function isMask(mask: string): boolean {
  if (!IPV4.test(mask)) return false;
  const bits = mask.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const inverted = ~bits >>> 0;
  return (inverted & (inverted + 1)) === 0;
}

/** Station id -> its planned address; throws a UserError naming every bad line (nothing is flashed then). */
export function readNetworkPlan(path: string): Map<string, PlannedAddress> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the network plan ${path}: ${(err as Error).message}`, 'pass a CSV file with the columns ' + NETWORK_PLAN_COLUMNS.join(','));
  }
  const reject = (problems: string[]) => new UserError(`network plan ${path} is not usable:\n  ${problems.slice(0, 10).join('\n  ')}`, 'correct the file (hardware/docs/network-plan.md) and flash again; nothing was written');
  const records = readCsvTable(text, NETWORK_PLAN_COLUMNS, 'station', reject);
  const plan = new Map<string, PlannedAddress>();
  const problems: string[] = [];
  const firstLine = new Map<string, number>();
  const once = (kind: string, value: string, line: number) => {
    const key = kind + ' ' + value;
    const earlier = firstLine.get(key);
    if (earlier !== undefined) problems.push(`line ${line}: ${kind} ${value} is already on line ${earlier}`);
    else firstLine.set(key, line);
  };
  for (const record of records) {
    const problem = (text: string) => problems.push(`line ${record.line}: ${text}`);
    if (record.problem !== undefined) {
      problems.push(record.problem);
      continue;
    }
    const row = record.row as Partial<Record<(typeof NETWORK_PLAN_COLUMNS)[number], string>>;
    const station = row.station ?? '';
    if (!station) problem('no station id');
    else once('station', station, record.line);
    const address: PlannedAddress = {};
    const given = ['ip', 'mask', 'gateway', 'dns'].filter((k) => row[k as 'ip']);
    if (given.length && given.length < 4) problem(`a static address needs ip, mask, gateway and dns (missing: ${['ip', 'mask', 'gateway', 'dns'].filter((k) => !row[k as 'ip']).join(', ')}); leave all four empty for DHCP`);
    else if (given.length) {
      for (const k of ['ip', 'gateway', 'dns'] as const) if (!IPV4.test(row[k]!)) problem(`${k} "${row[k]}" is not an IPv4 address`);
      if (!isMask(row.mask!)) problem(`mask "${row.mask}" is not a netmask (e.g. 255.255.255.0)`);
      Object.assign(address, { ip: row.ip, mask: row.mask, gw: row.gateway, dns: row.dns });
      once('ip', row.ip!, record.line);
    }
    if (row.mac) {
      const mac = row.mac.toLowerCase().replace(/-/g, ':');
      if (!MAC.test(mac)) problem(`mac "${row.mac}" is not a MAC address (six hex pairs, e.g. 90:a2:da:0f:12:34)`);
      else if (parseInt(mac.slice(0, 2), 16) & 1) problem(`mac ${mac} is a multicast address (its first byte is odd)`);
      else {
        address.mac = mac;
        once('mac', mac, record.line);
      }
    }
    if (station) plan.set(station, address);
  }
  if (problems.length) throw reject(problems);
  return plan;
}
