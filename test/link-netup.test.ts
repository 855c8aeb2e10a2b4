// Network bring-up per board kind, with stand-ins for the interpreter's Wifi
// and WIZnet modules (no radio or Ethernet chip here): each failure names its
// step for the connecting screen, and the address and signal reach the birth.
import { afterEach, describe, expect, it } from 'vitest';
import esp32 from '../hardware/boards/esp32-ssd1306.json' with { type: 'json' };
import pixl from '../hardware/boards/pixljs-w5100.json' with { type: 'json' };
import { decode } from '../protocol/device/codec.ts';
import { Presence } from '../protocol/device/tables.generated.ts';
import { upTopic } from '../protocol/topics.ts';
import { createLink } from '../firmware/src/net/link.ts';
import { hostClient, recorder, startBroker, stationConfig, testIo, until } from './helpers/link-io.ts';

const ID = 'desk-net';
const cleanups: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

/**
 * The 2v29 ESP32 Wifi module's contract: connect calls back (null) only with
 * an address, the signal is in getStatus() (getDetails() has none), and a lost
 * access point is a 'disconnected' event.
 */
function fakeWifi() {
  let up = false;
  const listeners: ((e: object) => void)[] = [];
  return {
    on: (_event: 'disconnected', fn: (e: object) => void) => listeners.push(fn),
    connect(_ssid: string, _opts: { password?: string }, cb: (err: null) => void) {
      setImmediate(() => { up = true; cb(null); });
    },
    getIP: () => (up ? { ip: '10.0.0.7' } : { ip: '0.0.0.0' }),
    getStatus: () => (up ? { station: 'connected', rssi: -61 } : { station: 'NO_AP_FOUND' }),
    getDetails: () => ({ status: up ? 'connected' : 'NO_AP_FOUND' }),
    lose(msg: string) {
      up = false;
      for (const fn of listeners) fn({ reason: '200', msg });
    },
  };
}

/** Pins, SPI1 and the Bluetooth address as the interpreter has them: globals. */
function pixlGlobals(setup: (o: object) => void) {
  const g = globalThis as Record<string, unknown>;
  for (const p of ['D10', 'D11', 'D12', 'D13']) g[p] = { pin: p };
  g.SPI1 = { setup };
  g.NRF = { getAddress: () => 'e7:9c:6e:4b:21:3f' };
  cleanups.push(() => { for (const p of ['D10', 'D11', 'D12', 'D13', 'SPI1', 'NRF']) delete g[p]; });
}

async function broker() {
  const b = await startBroker('embedded', [ID]);
  cleanups.push(() => b.close());
  const host = await hostClient(b, upTopic(ID, 'presence'), 'net');
  cleanups.push(host.end);
  return { b, host };
}

describe('ESP32 WiFi', () => {
  it('joins the network, then the broker; address and signal (getStatus) go into the birth', async () => {
    const { b, host } = await broker();
    const rec = recorder();
    const cfg = { ...stationConfig(b, ID), board: 'esp32-ssd1306', net: { ssid: 'hotline', psk: 'wlan-pass' } };
    const link = createLink(cfg, esp32, rec.handlers, testIo(undefined, { mod: (n) => (n === 'Wifi' ? fakeWifi() : undefined) }));
    cleanups.push(() => link.stop());
    await until(() => host.got.length === 1, 'birth');
    expect(rec.states).toEqual(['link ', 'broker ', 'online 10.0.0.7']);
    expect(decode(Presence, host.got[0].payload)).toMatchObject({ birth: { board: 'esp32-ssd1306', address: '10.0.0.7', rssi: -61 } });
  });

  it('drops the connection on the disconnect event and joins again', async () => {
    const { b, host } = await broker();
    const rec = recorder();
    const wifi = fakeWifi();
    const cfg = { ...stationConfig(b, ID), board: 'esp32-ssd1306', net: { ssid: 'hotline', psk: 'wlan-pass' } };
    const link = createLink(cfg, esp32, rec.handlers, testIo(undefined, { mod: (n) => (n === 'Wifi' ? wifi : undefined) }));
    cleanups.push(() => link.stop());
    await until(() => host.got.length === 1, 'birth');
    wifi.lose('BEACON_TIMEOUT');
    expect(rec.states.at(-1)).toBe('link BEACON_TIMEOUT');
    await until(() => rec.states.filter((x) => x.startsWith('online')).length === 2, 'online again');
    expect(rec.states.slice(3)).toEqual(['link BEACON_TIMEOUT', 'link ', 'broker ', 'online 10.0.0.7']);
  });

  it('says when the config has no SSID', async () => {
    const rec = recorder();
    const cfg = { v: 1, id: ID, board: 'esp32-ssd1306', host: '127.0.0.1', port: 1, pass: 'x', lang: 'de' as const, digits: 12, net: {} };
    const link = createLink(cfg, esp32, rec.handlers, testIo(undefined, { mod: () => fakeWifi() }));
    cleanups.push(() => link.stop());
    await until(() => rec.states.length > 0, 'a report');
    expect(rec.states[0]).toBe('link no SSID');
  });
});

describe('Pixl.js with W5100', () => {
  it('sets SPI up from the profile pins, gives the chip its own MAC and the static address, and runs no DHCP', async () => {
    const { b, host } = await broker();
    const spiSetups: object[] = [];
    pixlGlobals((o) => spiSetups.push(o));
    const calls: unknown[] = [];
    const eth = {
      setIP: (o?: { ip: string }) => { calls.push(o ?? 'dhcp'); return !!o; },
      getIP: () => ({ ip: '' }),
    };
    const wiz = { connect: (spi: unknown, cs: unknown) => { calls.push(cs); return eth; } };
    const rec = recorder();
    const cfg = { ...stationConfig(b, ID), board: 'pixljs-w5100', net: { ip: '192.168.100.142', gw: '192.168.100.1', mask: '255.255.255.0', dns: '192.168.100.1' } };
    const link = createLink(cfg, pixl, rec.handlers, testIo(undefined, { mod: (n) => (n === 'WIZnet' ? wiz : undefined) }));
    cleanups.push(() => link.stop());
    await until(() => host.got.length === 1, 'birth');
    expect(spiSetups).toEqual([{ mosi: { pin: 'D11' }, miso: { pin: 'D12' }, sck: { pin: 'D13' } }]);
    expect(calls).toEqual([{ pin: 'D10' }, { ip: '192.168.100.142', subnet: '255.255.255.0', gateway: '192.168.100.1', dns: '192.168.100.1', mac: '02:9c:6e:4b:21:3f' }]);
    expect(rec.states).toEqual(['link ', 'broker ', 'online 192.168.100.142']);
    expect(decode(Presence, host.got[0].payload)).toMatchObject({ birth: { address: '192.168.100.142', rssi: 0 } });
  });

  it('after a failed DHCP run (no cable or no server) says so, and waits before the next one', async () => {
    pixlGlobals(() => {});
    const rec = recorder();
    const cfg = { v: 1, id: ID, board: 'pixljs-w5100', host: '127.0.0.1', port: 1, pass: 'x', lang: 'de' as const, digits: 12 };
    const calls: unknown[] = [];
    const eth = { setIP: (o?: object) => { calls.push(o ?? 'dhcp'); return !!o; }, getIP: () => ({ ip: '' }) };
    const link = createLink(cfg, pixl, rec.handlers, testIo(undefined, { mod: () => ({ connect: () => eth }) }));
    cleanups.push(() => link.stop());
    await until(() => rec.states.filter((s) => s === 'link no cable/DHCP').length === 3, 'three reports');
    expect(rec.states.slice(0, 3)).toEqual(['link ', 'address ', 'link no cable/DHCP']);
    // The MAC first, then one DHCP run: the link retried twice since, well within the minute the next run waits.
    expect(calls).toEqual([{ mac: '02:9c:6e:4b:21:3f' }, 'dhcp']);
  });
});
