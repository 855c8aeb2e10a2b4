// Network bring-up per board kind, before the MQTT socket opens. Each failure
// names its step ('link' = no network medium, 'address' = no IP) so the
// connecting screen can tell a technician where to look.
// Written in the interpreter's subset (hardware/docs/board-facts.md).
import type { DeviceConfig } from '../../../protocol/device-config.ts';
import { ethUp } from './ethernet.ts';

declare const global: any;
/** The board's network kind, defined by the firmware build (firmware/build.ts). */
declare const __NET__: string;

/** Network state of one link: kind, loaded driver, address and signal. */
export interface Net {
  /** 'wifi' | 'w5100' | 'native' from the board profile. */
  k: string;
  /** Pin names from the board profile (w5100). */
  p: { mosi?: string; miso?: string; sck?: string; cs?: string };
  /** Loads an interpreter module (require). */
  mod: (name: string) => any;
  /** Wifi module or WIZnet driver, once loaded. */
  d: any;
  /** Our IP address ('' when unknown) and WiFi signal in dBm (0 elsewhere). */
  a: string;
  r: number;
  /**
   * Ethernet with DHCP: when the lease wants renewing (ms; 0 never), the
   * earliest next DHCP run after one failed, and the wait before it.
   */
  u: number;
  t: number;
  g: number;
  /** Set by the link: drops its connection when the network goes (WiFi's disconnect handler calls it). */
  x?: (detail: string) => void;
}

/**
 * How long one WiFi connect may take. The 2v29 ESP32 driver calls back only
 * when an address arrives and never retries by itself, so a connect that has
 * not delivered by then counts as failed and the link retries with backoff.
 */
const WIFI_WAIT_MS = 20000;

/** Where progress goes: the link's handlers (state(step, '') announces a step in progress). */
export type Reporter = { state(step: string, detail: string): void };

/**
 * Brings the network up if it is not, then calls done('', '') or
 * done(step, detail) for the step that failed. In the firmware each test
 * folds to a constant (the build defines __NET__), so a bundle keeps only its
 * own board's bring-up; without that build (host tests, the link bundled on
 * its own) the kind comes from the board given to the link.
 */
export function netUp(n: Net, cfg: DeviceConfig, h: Reporter, done: (step: string, detail: string) => void): void {
  if ((typeof __NET__ === 'string' ? __NET__ : n.k) === 'wifi') wifiUp(n, cfg, h, done);
  else if ((typeof __NET__ === 'string' ? __NET__ : n.k) === 'w5100') ethUp(n, cfg, h, done);
  else done('', '');
}

/**
 * ESP32 (libs/network/esp32/jswrap_esp32_network.c at 2v29): Wifi.connect's
 * callback fires only on an address (STA_GOT_IP), never with an error; a
 * failed or lost association only emits 'disconnected', and the driver does
 * not connect again by itself. So each bring-up asks the driver's status,
 * connects with its own timeout, and the disconnect handler drops the link at
 * once so it comes back here. The signal is Wifi.getStatus().rssi
 * (getDetails has none on ESP32).
 */
function wifiUp(n: Net, cfg: DeviceConfig, h: Reporter, done: (step: string, detail: string) => void): void {
  let w = n.d;
  if (!w) {
    w = n.d = n.mod('Wifi');
    w.on('disconnected', (e: any) => {
      n.a = '';
      n.r = 0;
      if (n.x) n.x(String((e && e.msg) || 'WiFi lost'));
    });
  }
  const s = cfg.net || {};
  let st = w.getStatus();
  let ip = w.getIP();
  if (st && st.station === 'connected' && ip && ip.ip && ip.ip !== '0.0.0.0') {
    n.a = ip.ip;
    n.r = st.rssi || 0;
    return done('', '');
  }
  if (!s.ssid) return done('link', 'no SSID');
  h.state('link', '');
  let t: any = setTimeout(() => {
    t = 0;
    st = w.getStatus() || {};
    // Associated but no address: leave, so the next connect starts clean.
    if (st.station === 'connected') {
      w.disconnect();
      return done('address', 'no DHCP');
    }
    done('link', String(st.station || 'no WiFi'));
  }, WIFI_WAIT_MS);
  w.connect(s.ssid, { password: s.psk }, () => {
    if (!t) return;
    clearTimeout(t);
    t = 0;
    st = w.getStatus();
    ip = w.getIP();
    n.a = (ip && ip.ip) || '';
    n.r = (st && st.rssi) || 0;
    done('', '');
  });
}
