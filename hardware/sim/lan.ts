// The Ethernet segment simulated WIZnet boards are plugged into: a DHCP
// server that leases addresses by client MAC, as ISC dhcpd and dnsmasq do
// (a lease lasts leaseS unless the client renews it; an expired address goes
// to the next client that asks), and the addresses each board has set on its
// chip, so a test sees what the network sees: two desks with one MAC share one
// lease, a desk that never renews loses its address to a newcomer.

export interface LanOptions {
  /** First three octets of the /24 (default 192.168.100). */
  net?: string;
  /** Host part of the first address the DHCP server hands out (default 142). */
  poolStart?: number;
  poolSize?: number;
  /** Lease time in seconds (default 3600, dnsmasq's default). */
  leaseS?: number;
  /** A DHCP server answers (default true). */
  dhcp?: boolean;
}

export interface Lease {
  mac: string;
  ip: string;
  /** ms since the epoch. */
  expires: number;
}

/** One DHCP exchange as the server saw it. */
export interface DhcpTransaction {
  at: number;
  mac: string;
  xid: number;
  ip: string | null;
}

export class SimLan {
  readonly net: string;
  readonly gateway: string;
  readonly leaseS: number;
  dhcpServer: boolean;
  readonly transactions: DhcpTransaction[] = [];
  private readonly poolStart: number;
  private readonly poolSize: number;
  private readonly leases = new Map<string, Lease>();
  /** Chip -> the address it has set (static or leased). */
  private readonly claims = new Map<object, { mac: string; ip: string }>();

  constructor(options: LanOptions = {}) {
    this.net = options.net ?? '192.168.100';
    this.gateway = this.net + '.1';
    this.poolStart = options.poolStart ?? 142;
    this.poolSize = options.poolSize ?? 100;
    this.leaseS = options.leaseS ?? 3600;
    this.dhcpServer = options.dhcp ?? true;
  }

  /**
   * A client's DISCOVER/REQUEST: its own unexpired lease again (renewed), else
   * the first address no unexpired lease holds. Null when no server answers.
   */
  dhcp(mac: string, xid: number, now: number): Lease | null {
    if (!this.dhcpServer) {
      this.transactions.push({ at: now, mac, xid, ip: null });
      return null;
    }
    let lease = [...this.leases.values()].find((l) => l.mac === mac && l.expires > now);
    if (!lease) {
      for (let i = 0; i < this.poolSize && !lease; i++) {
        const ip = `${this.net}.${this.poolStart + i}`;
        const held = this.leases.get(ip);
        if (!held || held.expires <= now || held.mac === mac) lease = { mac, ip, expires: 0 };
      }
      if (!lease) {
        this.transactions.push({ at: now, mac, xid, ip: null });
        return null;
      }
    }
    lease.expires = now + this.leaseS * 1000;
    this.leases.set(lease.ip, lease);
    this.transactions.push({ at: now, mac, xid, ip: lease.ip });
    return { ...lease };
  }

  /** The unexpired lease the server holds for a MAC. */
  leaseOf(mac: string, now: number): Lease | undefined {
    const lease = [...this.leases.values()].find((l) => l.mac === mac && l.expires > now);
    return lease && { ...lease };
  }

  /** A chip sets (or, with ip '', clears) its address. */
  claim(chip: object, mac: string, ip: string): void {
    if (ip) this.claims.set(chip, { mac, ip });
    else this.claims.delete(chip);
  }

  /** Addresses more than one chip has set: each of those desks loses traffic to the other. */
  conflicts(): string[] {
    const seen = new Map<string, number>();
    for (const { ip } of this.claims.values()) seen.set(ip, (seen.get(ip) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([ip]) => ip);
  }

  /** MACs more than one chip uses. */
  duplicateMacs(): string[] {
    const seen = new Map<string, number>();
    for (const { mac } of this.claims.values()) seen.set(mac, (seen.get(mac) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([mac]) => mac);
  }
}
