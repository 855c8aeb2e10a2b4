// One device's connection through EspruinoTools, in a child process of its own.
// The library keeps one connection in process-wide globals (Espruino.Core.Serial)
// and prints to the console freely, so every device gets a process: several
// devices flash at once, and the library's chatter stays out of our output.
// (Not a worker thread: the serialport binding polls on the main thread's
// event loop and crashes the process once a worker that opened a port ends.)
// The parent (link.ts) speaks to it over IPC with the messages below; the
// setup comes as the first argument, JSON.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

export type ToWorker = { op: 'open' } | { op: 'write'; id: number; data: string } | { op: 'close' };
export type FromWorker =
  | { ev: 'ready' }
  | { ev: 'open' }
  | { ev: 'open-failed' }
  | { ev: 'data'; text: string }
  | { ev: 'written'; id: number }
  | { ev: 'closed' }
  | { ev: 'ports'; ports: { path: string; description?: string; usb?: number[] }[] };

export interface WorkerSetup {
  /** 'list' only lists ports; 'connect' opens `port`. */
  mode: 'list' | 'connect';
  port?: string;
  boardJson?: Record<string, unknown>;
  baud?: number;
  /** Socket writes per chunk: 19 (the library's throttled default) or larger where the link keeps up. */
  chunkSize?: number;
}

declare const Espruino: any;

// The library logs every chunk it sends and receives, the config with the
// station's secret included: those lines never leave this process.
const QUIET = /^serial: (Sending|---> |Received)/;
const log = console.log.bind(console);
console.log = (...args: unknown[]) => {
  if (!QUIET.test(String(args[0]))) log(...args);
};
const setup = JSON.parse(process.argv[2]) as WorkerSetup;
const post = (m: FromWorker) => process.send!(m);
// The parent going away (Ctrl-C, a crash) ends the connection with it.
process.on('disconnect', () => process.exit(0));
const require = createRequire(import.meta.url);
const espruino = require('espruino') as { init(cb: () => void): void };

espruino.init(() => {
  // --no-ble: no D-Bus here, and noble would take over the process.
  Espruino.Config.BLUETOOTH_LOW_ENERGY = false;
  Espruino.Config.BLUETOOTH_LOW_ENERGY_DBUS = false;
  Espruino.Config.ENV_ON_CONNECT = false;
  if (setup.baud) Espruino.Config.BAUD_RATE = setup.baud;
  if (setup.mode === 'list') {
    Espruino.Core.Serial.getPorts((ports: { path: string; description?: string; usb?: number[] }[]) => post({ ev: 'ports', ports: ports ?? [] }));
    return;
  }
  const port = setup.port!;
  if (port.startsWith('tcp://')) Espruino.Config.SERIAL_TCPIP = [port];
  else acceptUnlistedPath(port);
  const env = Espruino.Core.Env.getData();
  Object.assign(env, setup.boardJson);
  Espruino.callProcessor('boardJSONLoaded', env, () => {
    Espruino.Core.Env.setFirmwareVersion(String((setup.boardJson?.info as { binary_version?: string })?.binary_version ?? ''));
    process.on('message', onMessage);
    post({ ev: 'ready' });
  });
});

/**
 * Serial ports are listed through udev, which does not know pseudo-terminals
 * and some USB adapters; a path that exists is handed to the library's own
 * serial device anyway, so `--port /dev/pts/N` works like a USB port.
 */
function acceptUnlistedPath(path: string): void {
  const serial = (Espruino.Core.Serial.devices as { name: string; getPorts: (cb: (p: unknown[], instant?: boolean) => void) => void }[]).find((d) => d.name === 'Node Serial');
  if (!serial) return;
  const listed = serial.getPorts.bind(serial);
  serial.getPorts = (cb) =>
    listed((ports, instant) => {
      const list = (ports ?? []) as { path: string }[];
      if (existsSync(path) && !list.some((p) => p.path === path)) list.push({ path });
      cb(list, instant);
    });
}

function onMessage(msg: ToWorker): void {
  const serial = Espruino.Core.Serial;
  if (msg.op === 'open') {
    serial.startListening((data: ArrayBuffer) => post({ ev: 'data', text: Buffer.from(data).toString('latin1') }));
    serial.open(
      setup.port,
      (status: unknown) => {
        // The library reports a failed connect by calling back with undefined and logging "Unable to connect!".
        if (status === undefined) post({ ev: 'open-failed' });
        else {
          serial.connection.chunkSize = setup.chunkSize ?? 19;
          post({ ev: 'open' });
        }
      },
      () => post({ ev: 'closed' }),
    );
  } else if (msg.op === 'write') {
    // connection.write resolves when the last chunk is on the wire; unlike
    // Serial.write it also calls back for writes shorter than one chunk.
    serial.connection.write(msg.data).then(() => post({ ev: 'written', id: msg.id }));
  } else if (msg.op === 'close') {
    if (serial.isConnected()) serial.close();
    else post({ ev: 'closed' });
  }
}
