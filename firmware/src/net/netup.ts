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
}

/** How long to wait for WiFi before saying so on screen; the driver keeps trying. */
const WIFI_WAIT_MS = 15000;

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
 * ESP32: the driver reconnects by itself and only reports a wrong password
 * through the callback (Espruino Wifi.connect docs), so a timer reports
 * other failures from the driver's status while it keeps trying.
 */
function wifiUp(n: Net, cfg: DeviceConfig, h: Reporter, done: (step: string, detail: string) => void): void {
  const w = n.d || (n.d = n.mod('Wifi'));
  const s = cfg.net || {};
  const st = w.getDetails();
  if (st && st.status === 'connected' && n.a) {
    n.r = st.rssi || 0;
    return done('', '');
  }
  if (!s.ssid) return done('link', 'no SSID');
  h.state('link', '');
  let waiting = true;
  const t = setTimeout(() => {
    const d = w.getDetails() || {};
    h.state(d.status === 'connected' ? 'address' : 'link', d.status === 'connected' ? 'no DHCP' : String(d.status || 'no WiFi'));
  }, WIFI_WAIT_MS);
  w.connect(s.ssid, { password: s.psk }, (err: any) => {
    if (!waiting) return;
    waiting = false;
    clearTimeout(t);
    if (err) return done('link', String(err));
    const ip = w.getIP();
    const d = w.getDetails();
    n.a = (ip && ip.ip) || '';
    n.r = (d && d.rssi) || 0;
    done('', '');
  });
}
