import type { Argv } from 'yargs';
import { loadBoard } from '../../hardware/board.ts';
import { DeviceConsole } from '../flash/device-console.ts';
import { isFlashError } from '../flash/errors.ts';
import { EspruinoLink, listSerialPorts, type PortInfo } from '../flash/link.ts';
import { formatTable } from '../text.ts';
import { defineCommand } from './command.ts';

interface PortsArgs {
  port?: string[];
  baud?: number;
  probe: boolean;
  json: boolean;
}

export interface PortReport {
  path: string;
  description: string;
  /** 'espruino' answered; 'silent' opened but no Espruino console; 'busy' in use; 'error' other trouble. */
  answer: 'espruino' | 'silent' | 'busy' | 'error' | 'not probed';
  board?: string;
  version?: string;
  detail?: string;
}

// Any profile does for asking process.env: the board file only keeps the library offline.
const PROBE_BOARD = 'linux';

export const portsCommand = defineCommand<PortsArgs>({
  command: 'ports',
  describe: 'List serial ports and which answer as Espruino, with their board and firmware version',
  builder: (y: Argv) =>
    y
      .option('port', { type: 'string', array: true, describe: 'Also probe these (a pty path, tcp://host:port)' })
      .option('baud', { type: 'number', describe: 'Serial baud rate (Espruino default 9600)' })
      .option('probe', { type: 'boolean', default: true, describe: 'Ask each port for process.env (--no-probe only lists)' }) as Argv,
  handler: async (args, ctx) => {
    const listed: PortInfo[] = await listSerialPorts();
    for (const extra of args.port ?? []) if (!listed.some((p) => p.path === extra)) listed.push({ path: extra, description: 'given with --port' });
    const reports = await Promise.all(listed.map((p) => (args.probe ? probe(p, args.baud) : Promise.resolve(describe(p, 'not probed')))));
    if (args.json) {
      ctx.output.out(JSON.stringify(reports, null, 2));
      return;
    }
    if (!reports.length) {
      ctx.output.out('No serial ports found. Plug the device in (a Pixl.js through its USB-serial adapter); pass --port for a pty or tcp:// device.');
      return;
    }
    const header = ['PORT', 'DESCRIPTION', 'ESPRUINO', 'BOARD', 'VERSION'];
    const rows = reports.map((r) => [r.path, r.description, r.answer === 'espruino' ? 'yes' : r.detail ? `${r.answer} (${r.detail})` : r.answer, r.board ?? '', r.version ?? '']);
    ctx.output.out(formatTable(header, rows));
  },
});

function describe(p: PortInfo, answer: PortReport['answer']): PortReport {
  const usb = p.usb ? ` [${p.usb.map((n) => n.toString(16).padStart(4, '0')).join(':')}]` : '';
  return { path: p.path, description: (p.description ?? '') + usb, answer };
}

async function probe(p: PortInfo, baud: number | undefined): Promise<PortReport> {
  const report = describe(p, 'silent');
  let link: EspruinoLink | null = null;
  try {
    link = await EspruinoLink.connect(p.path, { board: loadBoard(PROBE_BOARD), baud, connectTimeoutMs: 4000 });
    const device = new DeviceConsole(link);
    await device.wake();
    const env = await device.evaluate<{ BOARD?: string; VERSION?: string }>('process.env', 3000);
    return { ...report, answer: 'espruino', board: env?.BOARD, version: env?.VERSION };
  } catch (err) {
    if (isFlashError(err, 'port-busy')) return { ...report, answer: 'busy', detail: err.message };
    if (isFlashError(err, 'no-answer')) return report;
    return { ...report, answer: 'error', detail: (err as Error).message };
  } finally {
    await link?.close();
  }
}
