// Talking to Espruino's console over a link: the prompt probe, expressions
// whose results come back framed, and Storage files written in chunks that
// each wait for the device's answer. Waiting for that answer is the flow
// control the CLI lacks (it paces Storage writes by a fixed 250 ms and never
// reads a reply, hardware/docs/board-facts.md, "The console"): an error such as "Too much data
// for file size" is seen at the chunk it happens, and a slow board is never
// overrun.
//
// Every line starts with DLE (no echo, no `=result`). Results are framed as
// <Rn>json</Rn>, with the markers built by string concatenation so the echo of
// the line inside an error message never looks like a result.
import { crc32 } from 'node:zlib';
import { FlashError } from './errors.ts';
import type { EspruinoLink } from './link.ts';

/** Raw bytes per Storage.write line: 1024 base64 characters, about the line length the CLI sends. */
export const CHUNK_BYTES = 768;
const PROMPT_WAIT_MS = 700;
const ANSWER_TIMEOUT_MS = 10_000;

export class DeviceError extends Error {}

export function crc32OfBytes(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}

export class DeviceConsole {
  private received = '';
  private nextId = 1;
  private waiter: (() => void) | null = null;

  constructor(private readonly link: EspruinoLink) {
    link.onData((text) => {
      this.received += text;
      this.waiter?.();
    });
    link.onClosed(() => this.waiter?.());
  }

  /**
   * Gets the console to an empty prompt: a newline, then Ctrl-C if the last
   * thing printed is not `>` (a statement left open, a `debug>` prompt).
   */
  async wake(): Promise<void> {
    for (const poke of ['\n', '\x03', '\x03\n']) {
      this.received = '';
      await this.link.write(poke);
      if (await this.waitFor(() => atPrompt(this.received), PROMPT_WAIT_MS)) return;
    }
    throw new FlashError(
      'no-answer',
      `${this.link.port} is open but nothing answers like an Espruino console (${describeReply(this.received)})`,
      'check that the device runs Espruino and that the baud rate matches (--baud; consoles run at 9600 on the Pixl.js, 115200 on the ESP32)',
    );
  }

  /** Evaluates `expression` on the device and returns its JSON value; device exceptions become DeviceError. */
  async evaluate<T = unknown>(expression: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<T> {
    const id = this.nextId++;
    const open = `"<R"+"${id}>"`;
    const close = `"</R"+"${id}>"`;
    const line = `\x10print(${open}+(function(){try{return JSON.stringify(${expression})}catch(e){return "!"+e}})()+${close})\n`;
    const answer = new RegExp(`<R${id}>([\\s\\S]*?)</R${id}>`);
    this.received = '';
    await this.link.write(line);
    const done = await this.waitFor(() => answer.test(this.received), timeoutMs);
    this.link.assertOpen();
    // The statement catches its own errors; an "Uncaught" without an answer is a syntax error in it
    // (firmware too old for it). One with an answer came from the running firmware, printed meanwhile.
    const uncaught = /Uncaught ([^\r\n]*)/.exec(this.received)?.[1];
    if (!done && uncaught) throw new DeviceError(uncaught);
    if (!done) throw new FlashError('no-answer', `the device on ${this.link.port} stopped answering (waited ${timeoutMs / 1000} s)`, 'reset the device (power-cycle it) and run the command again');
    const text = answer.exec(this.received)![1];
    if (text.startsWith('!')) throw new DeviceError(text.slice(1).replace(/^Error: (?=Error: )/, ''));
    return (text === 'undefined' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Writes `bytes` to Storage file `name` as base64 (binary-safe over tcp://,
   * where the library would UTF-8-encode bytes 0x80-0xFF) in CHUNK_BYTES
   * pieces; the first piece gives the file's total size, as the CLI does.
   */
  async writeFile(name: string, bytes: Uint8Array, progress?: (done: number, total: number) => void): Promise<void> {
    const n = JSON.stringify(name);
    if (bytes.length <= CHUNK_BYTES) {
      await this.evaluate(`require("Storage").write(${n},atob("${Buffer.from(bytes).toString('base64')}"))`);
      progress?.(bytes.length, bytes.length);
      return;
    }
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      const piece = Buffer.from(bytes.subarray(offset, offset + CHUNK_BYTES)).toString('base64');
      const size = offset === 0 ? `,${bytes.length}` : '';
      await this.evaluate(`require("Storage").write(${n},atob("${piece}"),${offset}${size})`);
      progress?.(Math.min(offset + CHUNK_BYTES, bytes.length), bytes.length);
    }
  }

  /**
   * Writes `bytes` into Storage file `name` at `offset`, in CHUNK_BYTES pieces
   * (a write at an offset lands in place in erased bytes; `size` creates the
   * file with that total size on the first piece).
   */
  async writeAt(name: string, bytes: Uint8Array, offset: number, size?: number): Promise<void> {
    const n = JSON.stringify(name);
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
      const piece = Buffer.from(bytes.subarray(at, at + CHUNK_BYTES)).toString('base64');
      await this.evaluate(`require("Storage").write(${n},atob("${piece}"),${offset + at}${at === 0 && size !== undefined ? ',' + size : ''})`);
    }
  }

  /** CRC-32 of `length` bytes of a Storage file from `offset` as the device reads them back, or null when the file does not exist. */
  async rangeCrc(name: string, offset: number, length: number): Promise<number | null> {
    const r = await this.evaluate<number | null>(`(function(f){return f===undefined?null:E.CRC32(f)})(require("Storage").read(${JSON.stringify(name)},${offset},${length}))`);
    return r === null || r === undefined ? null : r >>> 0;
  }

  /** CRC-32 of a Storage file as the device reads it back, or null when it does not exist. */
  async fileCrc(name: string): Promise<{ crc: number; size: number } | null> {
    const n = JSON.stringify(name);
    const r = await this.evaluate<[number, number] | null>(`(function(f){return f===undefined?null:[E.CRC32(f),f.length]})(require("Storage").read(${n}))`);
    return r ? { crc: r[0] >>> 0, size: r[1] } : null;
  }

  /** Sends a statement without waiting for an answer (load(): the device restarts instead of answering). */
  async send(statement: string): Promise<void> {
    await this.link.write(`\x10${statement}\n`);
  }

  private waitFor(test: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(ok);
      };
      const timer = setTimeout(() => finish(test()), timeoutMs);
      this.waiter = () => {
        if (test()) finish(true);
        else if (this.link.isClosed) finish(false);
      };
      this.waiter();
    });
  }
}

/** The console's own prompt, not the debugger's (`debug>`, left with Ctrl-C). */
function atPrompt(text: string): boolean {
  const t = text.trimEnd();
  return t.endsWith('>') && !t.endsWith('debug>');
}

function describeReply(text: string): string {
  if (!text) return 'no reply at all';
  const shown = JSON.stringify(text.length > 40 ? text.slice(-40) : text);
  return `it replied ${shown}`;
}
