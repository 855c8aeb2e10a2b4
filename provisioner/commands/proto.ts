import type { Argv } from 'yargs';
import { decode, encode, type DecodeError, type Table } from '../../protocol/device/codec.ts';
import * as deviceTables from '../../protocol/device/tables.generated.ts';
import { checkValue, decodeMessage, encodeMessage, MESSAGE_TYPES, ProtocolError } from '../../protocol/host-codec.ts';
import type { Context } from '../context.ts';
import { UserError } from '../../lib/user-error.ts';
import { defineCommand } from './command.ts';

interface ProtoArgs {
  action: 'encode' | 'decode';
  type: string;
  codec: 'host' | 'device';
  hex?: string;
}

/**
 * Byte streams for encode/decode. The CLI uses the process's; tests pass
 * their own next to the Context.
 */
export interface ByteStreams {
  stdin: AsyncIterable<Uint8Array | string> & { isTTY?: boolean };
  stdout: { write(bytes: Uint8Array): unknown };
}

const DEVICE_ERRORS: Record<DecodeError, string> = {
  truncated: 'the bytes end in the middle of a field',
  varint: 'a number (varint) is longer than 10 bytes',
  wiretype: 'a field has the wrong wire type for its type in the .proto',
  length: 'a length prefix runs past the end of the bytes',
  depth: 'messages are nested deeper than the .proto allows',
};

export default defineCommand<ProtoArgs>({
  command: 'proto <action>',
  describe: 'Encode JSON to a protobuf payload or decode one to JSON, with the host or the device codec',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['encode', 'decode'], describe: 'encode: JSON on stdin -> bytes on stdout; decode: bytes on stdin (or --hex) -> JSON' })
      .option('type', { type: 'string', choices: MESSAGE_TYPES as string[], demandOption: true, describe: 'Message type from protocol/deskphone.proto' })
      .option('codec', { choices: ['host', 'device'], default: 'host', describe: 'host: protobufjs; device: the generated firmware codec' })
      .option('hex', { type: 'string', describe: 'decode: the payload as hex instead of stdin; encode: print hex instead of bytes' })
      .example('echo \'{"station":"wv-01","phase":"WRAP_UP"}\' | $0 proto encode --type Snapshot > snap.bin', '')
      .example('$0 proto decode --type Snapshot --hex "0a 05 77 76 2d 30 31 10 05" --codec device', ''),
  handler: async (args, ctx) => {
    const streams = byteStreams(ctx);
    if (args.action === 'encode') await encodeCommand(args, ctx, streams);
    else await decodeCommand(args, ctx, streams);
  },
});

function byteStreams(ctx: Context): ByteStreams {
  const given = ctx as Context & Partial<ByteStreams>;
  return { stdin: given.stdin ?? process.stdin, stdout: given.stdout ?? process.stdout };
}

async function encodeCommand(args: ProtoArgs, ctx: Context, streams: ByteStreams): Promise<void> {
  if (args.hex) throw new UserError('--hex takes no value for encode', 'pipe the JSON on stdin and add a bare --hex to print hex');
  const text = Buffer.from(await readAll(streams.stdin)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(
      `stdin is not JSON (${(err as Error).message})`,
      `pipe one JSON object of ${args.type}'s fields, e.g. echo '{"station":"wv-01","phase":"WRAP_UP"}' | deskphone proto encode --type Snapshot`,
    );
  }
  let bytes: Uint8Array;
  try {
    // The device encoder trusts its input, so the host checks the value first either way.
    bytes = args.codec === 'device' ? encode(deviceTable(args.type), checkValue(args.type, value)) : encodeMessage(args.type, value as object);
  } catch (err) {
    if (err instanceof ProtocolError) throw new UserError(err.message, 'fix the JSON; field names are camelCase as in `deskphone proto decode` output');
    throw err;
  }
  // Raw bytes would garble a terminal.
  if (args.hex !== undefined || ctx.output.tty) ctx.output.out(toHex(bytes));
  else streams.stdout.write(bytes);
}

async function decodeCommand(args: ProtoArgs, ctx: Context, streams: ByteStreams): Promise<void> {
  let bytes: Uint8Array;
  if (args.hex !== undefined) bytes = fromHex(args.hex);
  else if (streams.stdin.isTTY) throw new UserError('no payload: stdin is a terminal', 'pipe the bytes in (deskphone proto decode --type Snapshot < snap.bin) or pass --hex');
  else bytes = await readAll(streams.stdin);

  let value: unknown;
  if (args.codec === 'device') {
    const result = decode(deviceTable(args.type), bytes);
    if (typeof result === 'string') {
      throw new UserError(
        `the device codec cannot decode these ${bytes.length} bytes as ${args.type}: ${result} (${DEVICE_ERRORS[result as DecodeError]})`,
        'check that the input is one whole payload of that type; --codec host names the byte and field',
      );
    }
    value = result;
  } else {
    try {
      value = decodeMessage(args.type, bytes);
    } catch (err) {
      if (err instanceof ProtocolError) throw new UserError(err.message, `check that the input is one whole ${args.type} payload (binary on stdin, or --hex)`);
      throw err;
    }
  }
  ctx.output.out(JSON.stringify(value, null, 2));
}

function deviceTable(type: string): Table {
  return (deviceTables as unknown as Record<string, Table>)[type]!;
}

async function readAll(stdin: ByteStreams['stdin']): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  return new Uint8Array(Buffer.concat(chunks));
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1 ');
}

function fromHex(text: string): Uint8Array {
  const digits = text.replace(/0x/gi, '').replace(/[\s:,-]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) {
    throw new UserError(`--hex "${text}" is not a sequence of hex bytes`, 'give pairs of hex digits, spaces allowed, e.g. --hex "0a 05 77 76 2d 30 31"');
  }
  return new Uint8Array(Buffer.from(digits, 'hex'));
}
