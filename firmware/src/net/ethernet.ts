// Pixl.js + Arduino Ethernet shield (W5100) through Espruino's WIZnet driver,
// which only the pixljs_wiznet build has. The driver's traits this works
// around (libs/network/wiznet/ at RELEASE_2V29; hardware/docs/board-facts.md):
// every unit has the MAC 00:08:DC:01:02:03 unless told otherwise; DHCP holds
// the interpreter until a lease or ~30 s, with no renewal ever; the W5100
// cannot say whether a cable is in. So: a MAC of the unit's own, the config's
// static address without any DHCP when it has one, else DHCP spaced out after
// failures and run again at half the lease.
// Written in the interpreter's subset (hardware/docs/board-facts.md).
import type { DeviceConfig } from '../../../protocol/device-config.ts';
import type { Net, Reporter } from './netup.ts';

declare const global: any;

export const enum Dhcp {
  /** Lease assumed when the config names none: dnsmasq's default, the shortest common one. */
  LEASE_S = 3600,
  /** A failed DHCP run held the desk ~30 s: the next waits this long, doubling up to the cap. */
  RETRY_MS = 60000,
  RETRY_CAP_MS = 240000,
}

/**
 * The unit's MAC: 02 (locally administered, unicast) and the last five bytes
 * of the nRF52's factory Bluetooth address (random per chip,
 * NRF.getAddress()). `deskphone flash` reports the same for the network plan.
 */
export function unitMac(bleAddress: string): string {
  return '02' + bleAddress.substr(2, 15);
}

/** Brings the shield up (once), then the address: static at once, DHCP when due. */
export function ethUp(n: Net, cfg: DeviceConfig, h: Reporter, done: (step: string, detail: string) => void): void {
  const s = cfg.net || {};
  if (n.a && !(n.u && Date.now() >= n.u)) return done('', '');
  if (!n.d) {
    h.state('link', '');
    try {
      const spi = global.SPI1;
      spi.setup({ mosi: global[n.p.mosi!], miso: global[n.p.miso!], sck: global[n.p.sck!] });
      const d = n.mod('WIZnet').connect(spi, global[n.p.cs!]);
      const o: any = s.ip ? { ip: s.ip, subnet: s.mask, gateway: s.gw, dns: s.dns } : {};
      o.mac = s.mac || unitMac(global.NRF.getAddress());
      d.setIP(o);
      n.d = d;
    } catch (e) {
      return done('link', 'no WIZnet');
    }
    if (s.ip) {
      n.a = s.ip;
      return done('', '');
    }
  }
  if (Date.now() < n.t) return done('link', 'no cable/DHCP');
  h.state('address', '');
  let ok = false;
  try {
    ok = n.d.setIP();
  } catch (e) {}
  if (!ok) {
    n.g = n.g ? Math.min(n.g * 2, Dhcp.RETRY_CAP_MS) : Dhcp.RETRY_MS;
    n.t = Date.now() + n.g;
    // A renewal that failed leaves the chip its address: keep using it, try again later.
    if (n.a) {
      n.u = n.t;
      return done('', '');
    }
    return done('link', 'no cable/DHCP');
  }
  n.g = 0;
  const ip = n.d.getIP();
  n.a = (ip && ip.ip) || '';
  n.u = Date.now() + (s.lease || Dhcp.LEASE_S) * 500;
  done('', '');
}
