// Espruino's WIZnet driver as the pixljs_wiznet build has it (W5100,
// libs/network/wiznet/ at RELEASE_2V29), standing in for the chip on the
// simulated LAN. What a desk firmware must cope with, each from the source:
// - jswrap_wiznet_connect: on the W5100 no cable check at all (the PHY-link
//   loop that waits for a cable forever is compiled only for _WIZCHIP_ ==
//   5500), and the W5100 has no link status to ask later either
//   (wizchip_conf.c wizphy_getphylink returns -1 for it).
// - jswrap_ethernet_setIP: a chip with no MAC gets 00:08:DC:01:02:03, the
//   same on every unit; options set a static address (and MAC), no options
//   run DHCP.
// - dhcp.c getIP_DHCPS: DHCP blocks the interpreter until a lease arrives or
//   three DISCOVERs 10 s apart went unanswered (DHCP_WAIT_TIME,
//   MAX_DHCP_RETRY), ~30 s, then warns "DHCP failed"; its transaction id is
//   always 0x12345678; a lease resets the chip (CW_RESET_WIZCHIP in
//   check_DHCP_state), dropping every open socket; and the lease is never
//   renewed (the renewal state runs only inside that blocking loop).
// - socket.c connect: a TCP connect blocks; with no cable the ARP for the
//   peer times out after RTR x (RCR+1) = 200 ms x 9 = 1.8 s (chip defaults).
import type { SimLan } from './lan.ts';

export const WIZNET_DEFAULT_MAC = '00:08:dc:01:02:03';
export const DHCP_XID = 0x12345678;
/** Three DISCOVERs 10 s apart, then the timeout (dhcp.c). */
export const DHCP_GIVE_UP_MS = 30000;
/** ARP timeout with the chip's default RTR and RCR. */
export const ARP_TIMEOUT_MS = 1800;

/** What the stand-in needs from the simulated network and interpreter. */
export interface WiznetHost {
  lan: SimLan;
  /** The cable is plugged in. */
  cable(): boolean;
  now(): number;
  /** Holds the interpreter (SimClock.block). */
  block(ms: number): void;
  /** Console output, as jsWarn prints it. */
  print(line: string): void;
  /** Builds objects in the simulator's context. */
  object<T extends object>(value: T): T;
  later(fn: () => void, ms: number): void;
  /** The interface is up (sockets may connect) or down. */
  configured(up: boolean): void;
  /** The chip reset: every socket is gone. */
  dropSockets(): void;
  /** The interpreter's Error class. */
  error(message: string): Error;
  /** True for what the interpreter takes as an SPI device (jsiGetDeviceFromClass). */
  isSpi(value: unknown): boolean;
}

interface Chip {
  mac: string;
  ip: string;
  subnet: string;
  gateway: string;
  dns: string;
}

const ZERO = '0.0.0.0';

/** The chip as a board sees it; one per board, kept across reboots (the shield keeps power). */
export class SimWiznet {
  readonly chip: Chip = { mac: '00:00:00:00:00:00', ip: ZERO, subnet: ZERO, gateway: ZERO, dns: ZERO };
  private online = false;

  constructor(private readonly host: WiznetHost) {}

  /** A new interpreter: the driver's state is gone, the chip's registers are not. */
  restart(): void {
    this.online = false;
  }

  /** Power gone (the shield is powered by the board): the chip's registers are back to their reset values. */
  powerOff(): void {
    Object.assign(this.chip, { mac: '00:00:00:00:00:00', ip: ZERO, subnet: ZERO, gateway: ZERO, dns: ZERO });
    this.restart();
  }

  /** require("WIZnet") */
  module(): object {
    return this.host.object({
      connect: (spi: unknown, cs: unknown) => {
        if (!this.host.isSpi(spi)) throw this.host.error(`Expecting SPI device, got ${String(spi)}`);
        if (cs === undefined) throw this.host.error('WIZnet.connect needs the CS pin');
        this.online = true;
        return this.ethernet();
      },
    });
  }

  private ethernet(): object {
    const notOnline = () => this.host.error('Not connected to the internet');
    return this.host.object({
      setIP: (options?: unknown, callback?: (err: string | null) => void) => {
        if (!this.online) throw notOnline();
        if (/^0?0(:0?0){5}$/.test(this.chip.mac)) this.chip.mac = WIZNET_DEFAULT_MAC;
        let error: string | null = null;
        if (options && typeof options === 'object') this.setStatic(options as Record<string, unknown>);
        else if (!this.dhcp()) {
          error = 'DHCP failed';
          this.host.print('WARNING: DHCP failed');
        }
        if (typeof callback === 'function') this.host.later(() => callback(error), 0);
        return error === null;
      },
      getIP: (callback?: (err: null, info: object) => void) => {
        if (!this.online) throw notOnline();
        const c = this.chip;
        // jswrap_ethernet_getIP: no gateway, no DNS shown.
        const info = this.host.object({ ip: c.ip, subnet: c.subnet, gateway: c.gateway, dns: c.gateway === ZERO ? ZERO : c.dns, mac: c.mac });
        if (typeof callback === 'function') this.host.later(() => callback(null, info), 0);
        return info;
      },
      setHostname: (name: unknown) => String(name).length >= 8,
    });
  }

  private setStatic(o: Record<string, unknown>): void {
    const c = this.chip;
    if (o.ip !== undefined) c.ip = String(o.ip);
    if (o.subnet !== undefined) c.subnet = String(o.subnet);
    if (o.gateway !== undefined) c.gateway = String(o.gateway);
    if (o.dns !== undefined) c.dns = String(o.dns);
    if (o.mac !== undefined) c.mac = String(o.mac).toLowerCase();
    this.applied();
  }

  /** getIP_DHCPS: blocks until a lease or the timeout. */
  private dhcp(): boolean {
    const lease = this.host.cable() ? this.host.lan.dhcp(this.chip.mac, DHCP_XID, this.host.now()) : null;
    if (!lease) {
      this.host.block(DHCP_GIVE_UP_MS);
      return false;
    }
    // A server on the LAN answers within milliseconds: no hold worth simulating.
    this.host.dropSockets();
    Object.assign(this.chip, { ip: lease.ip, subnet: '255.255.255.0', gateway: this.host.lan.gateway, dns: this.host.lan.gateway });
    this.applied();
    return true;
  }

  private applied(): void {
    this.host.lan.claim(this, this.chip.mac, this.chip.ip === ZERO ? '' : this.chip.ip);
    this.host.configured(this.chip.ip !== ZERO);
  }
}
