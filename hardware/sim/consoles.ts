// The interpreter's consoles besides the wired serial one, as each board's
// 2v29 build opens them at every start, and the calls that close them. Anyone
// in reach of an open one can read deskphone.json (the station secret) or
// replace the firmware, so the simulator reports which are open.
//
// - Bluetooth UART (Nordic UART service): on the Pixl.js, and on ESP32 where
//   Bluetooth is on by default (targets/esp32/jshardwareESP32.h
//   ESP32HARDWAREDEFAULT 1; targets/esp32/BLE/esp32_gatts_func.c adds the
//   service). A connection takes the console unless it was forced elsewhere
//   (targets/nrf5x/bluetooth.c and esp32_gatts_func.c check
//   jsiIsConsoleDeviceForced). NRF.setServices(undefined, {uart: false})
//   removes the service (libs/bluetooth/jswrap_bluetooth.c
//   jswrap_ble_setServices); the simulator counts that only on the Pixl.js,
//   where the softdevice restart it needs is implemented.
// - Telnet on port 23: on every non-Linux build with TELNET once the network
//   is up (libs/network/telnet/jswrap_telnet.c: jswrap_telnet_init sets
//   MODE_ON, on Linux only with --telnet); TelnetServer.setOptions({mode:
//   'off'}) closes it (a forced console only keeps a client off the REPL).
// E.setConsole(device, {force: true}) (src/jswrap_espruino.c) pins the
// console to one device.
import type { BoardProfile } from '../board.ts';

export class SimConsoles {
  private telnet: boolean;
  private nus: boolean;
  private forced: string | null = null;

  constructor(private readonly board: BoardProfile['espruinoBoard']) {
    this.telnet = board === 'ESP32';
    this.nus = board === 'PIXLJS' || board === 'ESP32';
  }

  /** The consoles someone without a cable could reach now ('bluetooth', 'telnet'). */
  open(): string[] {
    const out: string[] = [];
    if (this.nus && this.forced === null) out.push('bluetooth');
    // A forced console keeps a telnet client away from the REPL, but the port stays open.
    if (this.telnet) out.push('telnet');
    return out;
  }

  /** E.setConsole: a device name or a Serial object; null for no console at all. */
  setConsole(device: unknown, options?: { force?: boolean }): void {
    const name = device === null ? 'none' : String(device);
    this.forced = options?.force ? name : null;
  }

  /** NRF, where the board has Bluetooth. */
  nrf(): object | undefined {
    if (!(this.board === 'PIXLJS' || this.board === 'ESP32')) return undefined;
    return {
      setServices: (_data: unknown, options?: { uart?: boolean }) => {
        if (this.board === 'PIXLJS' && options && options.uart === false) this.nus = false;
      },
    };
  }

  /** require("TelnetServer"), on the builds that have it. */
  telnetModule(): object {
    return {
      setOptions: (options: { mode?: string }) => {
        if (!options || typeof options !== 'object') throw new Error('Expecting Object');
        if (options.mode === 'off') this.telnet = false;
        else if (options.mode === 'on') this.telnet = true;
        else if (options.mode !== undefined) throw new Error('Unknown mode value');
      },
    };
  }
}
