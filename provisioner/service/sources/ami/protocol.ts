/**
 * The Asterisk Manager Interface wire format (main/manager.c): after the
 * banner line "Asterisk Call Manager/x.y", messages of "Key: Value" lines
 * ending in CRLF, each message closed by an empty line. A key may repeat
 * (ChanVariable), so a message keeps its headers in order.
 */
export class AmiMessage {
  constructor(readonly headers: [string, string][]) {}

  /** The first value of `key` (AMI keys are case-insensitive), or '' when absent. */
  get(key: string): string {
    const k = key.toLowerCase();
    for (const [name, value] of this.headers) if (name.toLowerCase() === k) return value;
    return '';
  }

  has(key: string): boolean {
    const k = key.toLowerCase();
    return this.headers.some(([name]) => name.toLowerCase() === k);
  }

  get event(): string {
    return this.get('Event');
  }

  /**
   * Channel variables Asterisk adds for manager.conf `channelvars`, as
   * "<prefix>ChanVariable: NAME=value" (manager_channels.c,
   * ast_manager_build_channel_state_string_prefix); an unset one has an empty value.
   */
  variable(name: string, prefix = ''): string | undefined {
    const key = `${prefix}ChanVariable`.toLowerCase();
    for (const [k, v] of this.headers) {
      if (k.toLowerCase() !== key) continue;
      const eq = v.indexOf('=');
      if (eq > 0 && v.slice(0, eq) === name) return v.slice(eq + 1);
    }
    return undefined;
  }
}

/** Longest line the parser buffers; Asterisk's own lines are far shorter. */
export const MAX_LINE = 16 * 1024;

export class AmiLineTooLongError extends Error {}

/**
 * Turns the byte stream into messages. The banner is handed over once;
 * a line without "Key: Value" shape is skipped and counted, not fatal, so one
 * garbled line costs at most the message it was in, never the session.
 */
export class AmiParser {
  private buffer = '';
  private headers: [string, string][] = [];
  private bannerSeen = false;
  malformed = 0;

  constructor(
    private readonly onBanner: (line: string) => void,
    private readonly onMessage: (message: AmiMessage) => void,
    private readonly onMalformed: (length: number) => void = () => {},
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.line(line);
    }
    if (this.buffer.length > MAX_LINE) throw new AmiLineTooLongError(`a line longer than ${MAX_LINE} bytes`);
  }

  private line(line: string): void {
    if (!this.bannerSeen) {
      this.bannerSeen = true;
      this.onBanner(line);
      return;
    }
    if (line === '') {
      if (this.headers.length > 0) this.onMessage(new AmiMessage(this.headers));
      this.headers = [];
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) {
      this.malformed++;
      this.onMalformed(line.length);
      return;
    }
    this.headers.push([line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')]);
  }
}

export class AmiFieldError extends Error {}

/** One action as text. A value with a line break would smuggle in headers, so it is refused. */
export function formatAction(fields: [string, string][]): string {
  let text = '';
  for (const [key, value] of fields) {
    if (/[\r\n]/.test(key) || /[\r\n]/.test(value)) throw new AmiFieldError(`AMI header ${JSON.stringify(key)} contains a line break`);
    text += `${key}: ${value}\r\n`;
  }
  return text + '\r\n';
}
