// The Espruino console's input side, as the `espruino` CLI 0.1.67 drives it
// (hardware/docs/board-facts.md, "The console"): bytes in, statements out.
//
// - Bytes arrive UTF-8-encoded from the CLI's tcp:// transport and raw from a
//   serial port or pty; valid UTF-8 sequences are decoded, any other byte is
//   taken as the character with that code, as a device reading a UART would.
// - A line that starts with DLE (0x10) is not echoed and prints no `=result`.
// - ESC [ <digits> d sets a debugger line number: dropped.
// - ESC LF is a newline inside the statement; a plain LF (or CR) runs it,
//   unless brackets or a string are still open (continuation, prompt `:`).
// - Ctrl-C (0x03) discards the pending input.

export type ReplEvent =
  | { kind: 'statement'; code: string; echo: boolean }
  | { kind: 'continue'; echo: boolean }
  | { kind: 'empty'; echo: boolean }
  | { kind: 'interrupt' };

const DLE = 0x10;
const ESC = 0x1b;
const CTRL_C = 0x03;

/** Decodes a byte stream into character codes: UTF-8 where it is valid, one byte per character otherwise. */
export class LenientUtf8Decoder {
  private pending: number[] = [];

  decode(chunk: Uint8Array): string {
    const bytes = this.pending.length ? [...this.pending, ...chunk] : Array.from(chunk);
    this.pending = [];
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i];
      const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
      if (need === 0) {
        out += String.fromCharCode(b);
        i++;
        continue;
      }
      if (i + need >= bytes.length && bytes.slice(i + 1).every(isContinuation)) {
        // A sequence cut by the chunk boundary: wait for the rest.
        this.pending = bytes.slice(i);
        break;
      }
      const tail = bytes.slice(i + 1, i + 1 + need);
      if (!tail.every(isContinuation)) {
        out += String.fromCharCode(b);
        i++;
        continue;
      }
      out += Buffer.from(bytes.slice(i, i + 1 + need)).toString('utf8');
      i += 1 + need;
    }
    return out;
  }
}

function isContinuation(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

/** True when `code` has no open bracket, string, template or block comment (Espruino waits for more input then). */
export function isComplete(code: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '/' && code[i + 1] === '/') {
      const end = code.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if (c === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      if (end < 0) return false;
      i = end + 1;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return depth <= 0 && !quote;
}

/** Turns console input into REPL events, keeping the partial line between chunks. */
export class LineDiscipline {
  private line = '';
  private echo = true;
  private atLineStart = true;
  private escape = ''; // an escape sequence being read, starting with ESC
  private lastWasCR = false;

  feed(text: string): ReplEvent[] {
    const events: ReplEvent[] = [];
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      const ch = text[i];
      if (this.escape) {
        this.readEscape(ch);
        continue;
      }
      if (code === CTRL_C) {
        this.clear();
        events.push({ kind: 'interrupt' });
        continue;
      }
      if (code === DLE && this.atLineStart) {
        this.echo = false;
        continue;
      }
      if (code === ESC) {
        this.escape = ch;
        continue;
      }
      if (ch === '\n' && this.lastWasCR) {
        this.lastWasCR = false;
        continue;
      }
      this.lastWasCR = ch === '\r';
      if (ch === '\n' || ch === '\r') {
        events.push(this.endOfLine());
        continue;
      }
      this.line += ch;
      this.atLineStart = false;
    }
    return events;
  }

  private readEscape(ch: string): void {
    this.escape += ch;
    if (this.escape === '\x1b\n') {
      // "Newline, but don't execute": the statement goes on.
      this.line += '\n';
      this.escape = '';
      this.atLineStart = false;
      return;
    }
    if (this.escape.length === 2 && ch !== '[') {
      this.escape = '';
      return;
    }
    if (this.escape.length > 2 && !/[0-9;]/.test(ch)) {
      // ESC [ n d (line number) and cursor keys alike carry no statement text.
      this.escape = '';
    }
    if (this.escape.length > 16) this.escape = '';
  }

  private endOfLine(): ReplEvent {
    const echo = this.echo;
    if (!this.line.trim()) {
      this.clear();
      return { kind: 'empty', echo };
    }
    if (!isComplete(this.line)) {
      this.line += '\n';
      this.atLineStart = true;
      return { kind: 'continue', echo };
    }
    const code = this.line;
    this.clear();
    return { kind: 'statement', code, echo };
  }

  private clear(): void {
    this.line = '';
    this.echo = true;
    this.atLineStart = true;
    this.escape = '';
  }
}
