import { readFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Argv } from 'yargs';
import { boardNames } from '../../hardware/board.ts';
import { DEVICE_BROKER_ADDRESS, parseListen } from '../broker/address.ts';
import type { Output } from '../context.ts';
import { openDataDir } from '../data-dir.ts';
import { UserError } from '../../lib/user-error.ts';
import { listSerialPorts } from '../flash/link.ts';
import { readNetworkPlan } from '../flash/network-plan.ts';
import { formatTable } from '../text.ts';
import { flashAll, readMapFile, type DeviceResult, type FlashOptions, type ProgressSink } from '../flash/run.ts';
import { openRegistry } from '../registry/index.ts';
import { defineCommand } from './command.ts';

interface FlashArgs {
  port?: string[];
  allPorts: boolean;
  station?: string;
  map?: string;
  board?: string;
  brokerAddress: string;
  brokerUrl?: string;
  wifiSsid?: string;
  secretsFile?: string;
  lang: 'de' | 'en';
  configOnly: boolean;
  baud?: number;
  networkPlan?: string;
  dhcpLease?: number;
  onlineTimeout: number;
  json: boolean;
}

export const flashCommand = defineCommand<FlashArgs>({
  command: 'flash',
  describe: 'Flash desk modules over USB serial (or tcp://): firmware and station config to Storage, verified, then wait until each is online',
  builder: (y: Argv) =>
    y
      .option('port', { type: 'string', array: true, describe: 'Serial port path or tcp://host:port; repeat for several devices' })
      .option('all-ports', { type: 'boolean', default: false, describe: 'Flash every serial port that is listed (see `deskphone ports`)' })
      .option('station', { type: 'string', describe: 'Station id for the one --port (default: the next station never flashed)' })
      .option('map', { type: 'string', describe: 'File of "port,station" lines (or JSON {port: station}) for several devices' })
      .option('board', { type: 'string', choices: boardNames(), describe: 'Board profile (default: the station\'s registered board)' })
      .option('broker-address', { type: 'string', ...DEVICE_BROKER_ADDRESS, describe: 'Broker host:port the devices connect to; they must resolve the name, else give an IP address' })
      .option('broker-url', { type: 'string', describe: 'Broker URL this host watches for births (default mqtt://127.0.0.1:<port of --broker-address>)' })
      .option('wifi-ssid', { type: 'string', describe: 'WiFi network for WiFi boards; passphrase from DESKPHONE_WIFI_PSK or --secrets-file' })
      .option('secrets-file', { type: 'string', describe: 'File with WIFI_SSID=… and WIFI_PSK=… lines (keep it mode 0600)' })
      .option('lang', { choices: ['de', 'en'] as const, default: 'de' as const, describe: 'Device UI language' })
      .option('config-only', { type: 'boolean', default: false, describe: 'Rewrite only the config (new broker, WiFi, fresh secret); keep the firmware' })
      .option('baud', { type: 'number', describe: "Serial baud rate (default: the board's console rate, 9600 on the Pixl.js, 115200 on the ESP32)" })
      .option('network-plan', { type: 'string', describe: 'CSV of station,ip,mask,gateway,dns,mac: static addresses (and MACs) for wired desks; desks not in it use DHCP (hardware/docs/network-plan.md)' })
      .option('dhcp-lease', { type: 'number', describe: "Wired desks on DHCP: the DHCP server's lease time in seconds; they renew at half of it (default 3600)" })
      .option('online-timeout', { type: 'number', default: 60, describe: 'Seconds to wait for each station\'s birth; 0 skips the wait' })
      .example('$0 flash --port /dev/ttyUSB0 --station desk-07', '')
      .example('$0 flash --all-ports --board pixljs-w5100', 'one station each, the next ones never flashed')
      .example('DESKPHONE_WIFI_PSK=… $0 flash --port /dev/ttyUSB0 --board esp32-st7789 --wifi-ssid Hotline', '') as Argv,
  handler: async (args, ctx) => {
    const map = args.map ? readMapFile(args.map) : undefined;
    const ports = args.allPorts ? (await listSerialPorts()).map((p) => p.path) : (args.port ?? Object.keys(map ?? {}));
    if (!ports.length)
      throw new UserError(args.allPorts ? 'no serial ports found' : 'no device named', args.allPorts ? 'plug the devices in and check `deskphone ports`' : 'pass --port <path|tcp://host:port> (see `deskphone ports`) or --all-ports');
    const broker = parseListen(args.brokerAddress, '--broker-address');
    const wifi = wifiSettings(args, ctx.env);
    if (args.dhcpLease !== undefined && !(Number.isInteger(args.dhcpLease) && args.dhcpLease >= 120))
      throw new UserError(`--dhcp-lease ${args.dhcpLease} is not a lease time`, "pass the DHCP server's lease time in whole seconds, at least 120");
    const networkPlan = args.networkPlan ? readNetworkPlan(args.networkPlan) : undefined;
    const dir = openDataDir(ctx);
    const registry = openRegistry(dir);
    const bars = !args.json && ctx.output.tty ? new Bars() : null;
    const options: FlashOptions = {
      dataDir: dir,
      registry,
      ports,
      station: args.station,
      map,
      board: args.board,
      broker,
      brokerUrl: args.onlineTimeout > 0 ? (args.brokerUrl ?? `mqtt://127.0.0.1:${broker.port}`) : null,
      wifi,
      networkPlan,
      dhcpLease: args.dhcpLease,
      lang: args.lang,
      configOnly: args.configOnly,
      baud: args.baud,
      onlineTimeoutMs: args.onlineTimeout * 1000,
      progress: bars ?? (args.json ? undefined : stepLines(ctx.output)),
    };
    let results: DeviceResult[];
    try {
      results = await flashAll(options);
    } finally {
      bars?.stop();
      registry.close();
    }
    const failed = results.filter((r) => r.status === 'failed');
    if (args.json) {
      ctx.output.out(JSON.stringify(results, null, 2));
      return failed.length ? 1 : 0;
    }
    if (results.length === 1) {
      const [r] = results;
      if (r.error) throw new UserError(`${r.station} on ${r.port}: ${r.error.message}`, r.error.fix);
      ctx.output.out(summary(r));
      return 0;
    }
    ctx.output.out(resultTable(results));
    for (const r of failed) ctx.output.err(`${r.port}: ${r.error!.message}\n  fix: ${r.error!.fix}`);
    return failed.length ? 1 : 0;
  },
});

/** WiFi name from a flag or the secrets file; the passphrase never from a flag, so it stays out of shell history and `ps`. */
function wifiSettings(args: FlashArgs, env: NodeJS.ProcessEnv): FlashOptions['wifi'] {
  const file: Record<string, string> = {};
  if (args.secretsFile) {
    let text: string;
    try {
      text = readFileSync(args.secretsFile, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read the secrets file: ${(err as Error).message}`, 'pass a file with WIFI_SSID=… and WIFI_PSK=… lines');
    }
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*([A-Z_]+)\s*=\s*(.*?)\s*$/.exec(line);
      if (m) file[m[1]] = m[2];
    }
  }
  const ssid = args.wifiSsid ?? file.WIFI_SSID;
  const psk = env.DESKPHONE_WIFI_PSK ?? file.WIFI_PSK;
  if (!ssid) return undefined;
  if (!psk) throw new UserError(`no passphrase for WiFi "${ssid}"`, 'set DESKPHONE_WIFI_PSK or put WIFI_PSK=… in --secrets-file');
  return { ssid, psk };
}

function summary(r: DeviceResult): string {
  if (r.status === 'skipped') return `${r.station} on ${r.port}: already flashed and online (firmware ${r.firmware}); nothing to do`;
  const what = r.firmwareBytes ? `firmware ${r.firmwareBytes} B and config written and verified` : 'config written and verified';
  const retried = r.retries ? `, ${r.retries} retried` : '';
  const online = r.status === 'online' ? `; online with firmware ${r.firmware}` : '; not waiting for it to come online';
  const mac = r.mac ? `; Ethernet MAC ${r.mac}` : '';
  return `${r.station} on ${r.port}: ${what}${retried}${online}${mac} (${r.seconds.toFixed(1)} s)`;
}

function resultTable(results: DeviceResult[]): string {
  // The MAC column only when wired desks were flashed: their MACs go into the network plan.
  const macs = results.some((r) => r.mac);
  const header = ['PORT', 'STATION', 'BOARD', 'RESULT', 'FIRMWARE', ...(macs ? ['MAC'] : []), 'SECONDS'];
  const rows = results.map((r) => [r.port, r.station, r.board, r.status === 'failed' ? `failed: ${r.error!.code}` : r.status, r.firmware ?? '', ...(macs ? [r.mac ?? ''] : []), r.seconds.toFixed(1)]);
  return formatTable(header, rows);
}

/** Without a terminal: one line per step, none per chunk. */
function stepLines(output: Output): ProgressSink {
  return {
    step: (port, station, step, detail) => output.err(`${station} ${port}: ${step}${detail ? ' ' + detail : ''}`),
    bytes: () => undefined,
  };
}

/** On a terminal: one bar per device, counting the firmware's bytes. */
class Bars implements ProgressSink {
  private readonly multi = new cliProgress.MultiBar(
    { format: '{station} {port} [{bar}] {value}/{total} B {step}', hideCursor: true, clearOnComplete: false, stopOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  step(port: string, station: string, step: string, detail?: string): void {
    const bar = this.bar(port, station);
    bar.update({ step: detail ? `${step} ${detail}` : step });
  }

  bytes(port: string, done: number, total: number): void {
    const bar = this.bars.get(port);
    if (!bar) return;
    bar.setTotal(total);
    bar.update(done);
  }

  stop(): void {
    this.multi.stop();
  }

  private bar(port: string, station: string): cliProgress.SingleBar {
    let bar = this.bars.get(port);
    if (!bar) {
      bar = this.multi.create(1, 0, { station, port, step: '' });
      this.bars.set(port, bar);
    }
    return bar;
  }
}
