// Networking as the firmware sees it on each board: `require("net")` sockets
// over real Node TCP (bytes in as 8-bit strings, strings out as latin1, and a
// Uint8Array written as its text "1,2,3" exactly as the interpreter does),
// behind a link that must be brought up first the board's way: WiFi
// (`require("Wifi")`), a W5100 (`require("WIZnet")`, wiznet.ts, on a
// simulated LAN with a DHCP server, lan.ts), or none (Linux).
// Tests pull the link down and up to check the firmware's offline handling.
import { Socket, createConnection } from 'node:net';
import type { BoardProfile } from '../board.ts';
import { SimLan } from './lan.ts';
import { ARP_TIMEOUT_MS, SimWiznet } from './wiznet.ts';

/** Listener bookkeeping shared by every simulated object that emits events. */
export class Emitter {
  private readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();

  constructor(
    private readonly report: (err: unknown) => void,
    /** Whether the handlers are still there to call (false once the interpreter that set them is gone). */
    private readonly alive: () => boolean = () => true,
  ) {}

  on(event: string, fn: (...args: unknown[]) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
  }

  removeListener(event: string, fn: (...args: unknown[]) => void): void {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((f) => f !== fn));
  }

  removeAllListeners(event?: string): void {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
  }

  emit(event: string, ...args: unknown[]): void {
    if (!this.alive()) return;
    for (const fn of this.listeners.get(event) ?? []) {
      try {
        fn(...args);
      } catch (err) {
        this.report(err);
      }
    }
  }

  /** The methods an Espruino object exposes, bound to this emitter. */
  api(): { on: Emitter['on']; removeListener: Emitter['removeListener']; removeAllListeners: Emitter['removeAllListeners']; emit: Emitter['emit'] } {
    return {
      on: this.on.bind(this),
      removeListener: this.removeListener.bind(this),
      removeAllListeners: this.removeAllListeners.bind(this),
      emit: this.emit.bind(this),
    };
  }
}

export interface NetworkHooks {
  report: (err: unknown) => void;
  /** Builds objects in the simulator's context (so the firmware's JSON/prototypes apply). */
  object: (value: object) => object;
  /** Schedules on the simulator clock, as the interpreter's own events would arrive. */
  later: (fn: () => void, ms: number) => void;
  /** The simulator clock, and a blocking native call (SimClock.block). */
  now: () => number;
  block: (ms: number) => void;
  print: (line: string) => void;
  /** An Error of the simulator's context, as the interpreter throws. */
  error: (message: string) => Error;
  isSpi: (value: unknown) => boolean;
  /** The Ethernet segment a WIZnet board is plugged into (default: one of its own). */
  lan?: SimLan;
}

export interface SimNetworkState {
  kind: BoardProfile['network']['kind'];
  /** Cable plugged / access point reachable. */
  link: boolean;
  /** The firmware has brought its interface up (Wifi.connect / WIZnet.connect + setIP; always on Linux). */
  configured: boolean;
  sockets: number;
  bytesIn: number;
  bytesOut: number;
  /** WIZnet boards: the MAC and address set on the chip. */
  mac?: string;
  address?: string;
}

const FAKE_IP = { ip: '192.168.100.142', netmask: '255.255.255.0', gw: '192.168.100.1', mac: '5c:cf:7f:00:00:42' };

/** ESP-IDF disconnect reasons the simulated access point produces, named as wifiReasonToString does. */
const WIFI_ASSOC_LEAVE = 8;
const WIFI_BEACON_TIMEOUT = 200;
const WIFI_NO_AP_FOUND = 201;
const WIFI_REASONS: Record<number, string> = { [WIFI_ASSOC_LEAVE]: 'ASSOC_LEAVE', [WIFI_BEACON_TIMEOUT]: 'BEACON_TIMEOUT', [WIFI_NO_AP_FOUND]: 'NO_AP_FOUND' };
const AP_MAC = '24:a4:3c:00:00:01';
const WIFI_RSSI = -58;
// Durations of an attempt (scan and association, DHCP, a scan that finds
// nothing, missed beacons): not measured, they only order the events.
const WIFI_ASSOC_MS = 300;
const WIFI_DHCP_MS = 200;
const WIFI_NO_AP_MS = 2500;
const WIFI_BEACON_MS = 3000;

export class SimNetwork {
  private linkUp = true;
  private configured: boolean;
  private readonly sockets = new Set<Socket>();
  private readonly wifi: Emitter;
  private ssid = '';
  /** ESP32 station: idle, trying, associated (no address yet) or connected (address). */
  private sta: 'idle' | 'trying' | 'associated' | 'connected' = 'idle';
  /** Reason code of the last disconnect (0 before any). */
  private staReason = 0;
  /** The connect attempt running, so a replaced one's timers do nothing. */
  private attempt = 0;
  private gotIp: ((err: null) => void) | null = null;
  private onDisconnect: (() => void) | null = null;
  /** Connect attempts the firmware made, for tests (the driver makes none of its own). */
  wifiConnects = 0;
  /** Counts interpreters (restarts): a socket's events reach only the one that opened it. */
  private life = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  readonly lan: SimLan;
  readonly wiznet: SimWiznet;

  constructor(
    private readonly board: BoardProfile,
    /** The built-in modules of the firmware the board runs (hardware/espruino.ts). */
    private readonly modules: string[],
    private readonly hooks: NetworkHooks,
  ) {
    this.configured = board.network.kind === 'native';
    this.wifi = new Emitter(hooks.report);
    this.lan = hooks.lan ?? new SimLan();
    this.wiznet = new SimWiznet({
      lan: this.lan,
      cable: () => this.linkUp,
      now: hooks.now,
      block: hooks.block,
      print: hooks.print,
      object: (v) => hooks.object(v) as typeof v,
      later: hooks.later,
      configured: (up) => {
        this.configured = up;
      },
      dropSockets: () => this.close(),
      error: hooks.error,
      isSpi: hooks.isSpi,
    });
  }

  state(): SimNetworkState {
    const chip = this.modules.includes('WIZnet') ? { mac: this.wiznet.chip.mac, address: this.wiznet.chip.ip } : {};
    return { kind: this.board.network.kind, link: this.linkUp, configured: this.configured, sockets: this.sockets.size, bytesIn: this.bytesIn, bytesOut: this.bytesOut, ...chip };
  }

  /** Link loss: every open socket drops with an error, new connects fail, WiFi reports disconnected. */
  down(): void {
    if (!this.linkUp) return;
    this.linkUp = false;
    for (const s of this.sockets) s.destroy(new Error('link down'));
    if (this.board.network.kind === 'wifi' && this.sta !== 'idle') {
      const attempt = this.attempt;
      this.hooks.later(() => {
        if (attempt === this.attempt && !this.linkUp) this.staDisconnected(WIFI_BEACON_TIMEOUT);
      }, WIFI_BEACON_MS);
    }
  }

  /** Link back; a WiFi board has to reconnect itself (Wifi.connect again), as the real one does. */
  up(): void {
    this.linkUp = true;
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Power gone: sockets and drivers gone, and the WIZnet chip's registers too. */
  powerOff(): void {
    this.restart();
    this.wiznet.powerOff();
  }

  /**
   * A new interpreter (reboot): sockets and drivers gone, the WIZnet chip
   * keeps its registers. What the old sockets still report (Node delivers
   * 'close' after destroy) reaches no handler: the code that set them up is gone.
   */
  restart(): void {
    this.life++;
    this.close();
    this.wiznet.restart();
  }

  /** `require(name)` for the network modules the board's firmware has; undefined for the others. */
  module(name: string): object | undefined {
    if (!this.modules.includes(name)) return undefined;
    if (name === 'net') return this.netModule();
    if (name === 'Wifi') return this.wifiModule();
    if (name === 'WIZnet') return this.wiznet.module();
    return undefined;
  }

  private netModule(): object {
    return { connect: (options: { host?: string; port?: number }, onConnect?: () => void) => this.connect(options, onConnect) };
  }

  private connect(options: { host?: string; port?: number }, onConnect?: () => void): object {
    const life = this.life;
    const events = new Emitter(this.hooks.report, () => life === this.life);
    if (onConnect) events.on('connect', onConnect);
    // The W5100 connects synchronously: with no cable its ARP for the peer times out first.
    if (this.modules.includes('WIZnet') && this.configured && !this.linkUp) this.hooks.block(ARP_TIMEOUT_MS);
    const socket: Socket | null = this.configured && this.linkUp ? createConnection({ host: options.host ?? '127.0.0.1', port: Number(options.port ?? 23) }) : null;
    let closed = false;
    const close = (hadError: boolean) => {
      if (closed) return;
      closed = true;
      events.emit('close', hadError);
    };
    if (!socket) {
      const why = this.configured ? 'no link' : this.board.network.kind === 'wifi' ? 'WiFi is not connected' : 'network interface is not set up';
      this.hooks.later(() => {
        events.emit('error', this.hooks.object({ code: -1, message: 'Unable to connect: ' + why }));
        close(true);
      }, 0);
    } else {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('connect', () => events.emit('connect'));
      socket.on('data', (chunk: Buffer) => {
        this.bytesIn += chunk.length;
        events.emit('data', chunk.toString('latin1'));
      });
      socket.on('error', (err: NodeJS.ErrnoException) => events.emit('error', this.hooks.object({ code: -1, message: err.code ?? err.message })));
      socket.on('close', (hadError: boolean) => {
        this.sockets.delete(socket);
        close(hadError);
      });
      socket.on('end', () => events.emit('end'));
    }
    return this.hooks.object({
      ...events.api(),
      write: (data: unknown) => {
        // The interpreter sends String(data): a Uint8Array goes out as "1,2,3".
        const bytes = Buffer.from(String(data), 'latin1');
        this.bytesOut += bytes.length;
        // 'drain' once the bytes are handed to the network, as the interpreter signals an empty send buffer.
        if (socket && !socket.destroyed) socket.write(bytes, () => events.emit('drain'));
        return true;
      },
      end: (data?: unknown) => {
        if (data !== undefined && socket && !socket.destroyed) socket.write(Buffer.from(String(data), 'latin1'));
        socket?.end();
        if (!socket) close(false);
      },
      destroy: () => socket?.destroy(),
    });
  }

  /** STA_DISCONNECTED as event_handler handles it: no retry, the disconnect callback, then the 'disconnected' event. */
  private staDisconnected(reason: number): void {
    this.sta = 'idle';
    this.staReason = reason;
    this.configured = false;
    for (const s of this.sockets) s.destroy();
    const cb = this.onDisconnect;
    this.onDisconnect = null;
    cb?.();
    this.wifi.emit('disconnected', this.hooks.object({ ssid: this.ssid, mac: AP_MAC, reason: String(reason), msg: WIFI_REASONS[reason] ?? 'Unknown reason' }));
  }

  /**
   * require("Wifi") as the 2v29 ESP32 build has it (libs/network/esp32/
   * jswrap_esp32_network.c). connect's callback runs only when an address
   * arrives (STA_GOT_IP, sendWifiCompletionCB with null), and a new connect
   * replaces it; an attempt that finds no access point, and a connection that
   * loses it, only emit 'disconnected' ({ssid, mac, reason, msg}), and
   * event_handler never connects again by itself (s_retry_num stays 0).
   * getStatus() carries the signal (rssi), getDetails() does not.
   */
  private wifiModule(): object {
    return this.hooks.object({
      ...this.wifi.api(),
      connect: (ssid: unknown, options: { password?: string } | undefined, callback?: (err: null) => void) => {
        if (typeof ssid !== 'string') throw new Error('No SSID provided');
        this.gotIp = typeof callback === 'function' ? callback : null;
        this.onDisconnect = null;
        this.wifiConnects++;
        // Already connected: esp_wifi_connect starts nothing, so no new address and no callback.
        if (this.sta === 'connected') return;
        this.ssid = ssid;
        this.sta = 'trying';
        const attempt = ++this.attempt;
        this.hooks.later(() => {
          if (attempt !== this.attempt) return;
          if (!this.linkUp) return this.staDisconnected(WIFI_NO_AP_FOUND);
          this.sta = 'associated';
          this.wifi.emit('associated', this.hooks.object({ ssid, mac: AP_MAC, channel: '6' }));
          this.hooks.later(() => {
            if (attempt !== this.attempt || this.sta !== 'associated') return;
            this.sta = 'connected';
            this.configured = true;
            const cb = this.gotIp;
            this.gotIp = null;
            cb?.(null);
            this.wifi.emit('connected', this.hooks.object({ ip: FAKE_IP.ip, netmask: FAKE_IP.netmask, gw: FAKE_IP.gw }));
          }, WIFI_DHCP_MS);
        }, this.linkUp ? WIFI_ASSOC_MS : WIFI_NO_AP_MS);
      },
      disconnect: (callback?: () => void) => {
        this.onDisconnect = typeof callback === 'function' ? callback : null;
        const was = this.sta;
        this.attempt++;
        if (was !== 'idle') this.hooks.later(() => this.staDisconnected(WIFI_ASSOC_LEAVE), 0);
        if (typeof callback === 'function') this.hooks.later(() => callback(), 0);
      },
      getIP: (callback?: (err: null, ip: object) => void) => {
        const ip = this.hooks.object(this.sta === 'connected' ? FAKE_IP : { ip: '0.0.0.0', netmask: '0.0.0.0', gw: '0.0.0.0', mac: FAKE_IP.mac });
        callback?.(null, ip);
        return ip;
      },
      getStatus: () => {
        const station = this.sta === 'connected' || this.sta === 'associated' ? 'connected' : WIFI_REASONS[this.staReason] ?? 'Unknown reason';
        const ap = station === 'connected' ? { ssid: this.ssid, bssid: AP_MAC, channel: 6, rssi: WIFI_RSSI, htMode: 'HT20', authMode: 'wpa2_psk' } : {};
        return this.hooks.object({ station, ...ap, mode: 'sta', powersave: 'none' });
      },
      getDetails: (callback?: (details: object) => void) => {
        const details = this.hooks.object(
          this.sta === 'connected' || this.sta === 'associated'
            ? { ssid: this.ssid, status: 'connected', authMode: 'wpa2_psk' }
            : { status: WIFI_REASONS[this.staReason] ?? 'Unknown reason' },
        );
        callback?.(details);
        return details;
      },
      setHostname: () => undefined,
      save: () => undefined,
    });
  }
}
