import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { rejectionOf, type EventSink, type EventSource, type Rejection } from './source.ts';

export interface LineProblem extends Rejection {
  line: number;
}

export interface JsonLinesSummary {
  lines: number;
  applied: number;
  rejected: number;
}

/**
 * Call events as JSON lines (one object per line; blank lines and lines
 * starting with "#" are skipped). A bad line is reported with its number and
 * the fields at fault, and the lines around it go on as if it were not there.
 */
export class JsonLinesSource implements EventSource {
  readonly name: string;
  summary: JsonLinesSummary = { lines: 0, applied: 0, rejected: 0 };
  private stopped = false;

  constructor(
    private readonly input: Readable,
    private readonly onProblem: (problem: LineProblem) => void,
    name = 'json-lines',
  ) {
    this.name = name;
  }

  async start(sink: EventSink): Promise<void> {
    const lines = createInterface({ input: this.input, crlfDelay: Infinity });
    for await (const text of lines) {
      if (this.stopped) break;
      const line = ++this.summary.lines;
      const trimmed = text.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const problem = await ingestLine(trimmed, sink);
      if (problem) {
        this.summary.rejected++;
        this.onProblem({ line, ...problem });
      } else this.summary.applied++;
    }
    lines.close();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.input.destroy();
  }
}

async function ingestLine(text: string, sink: EventSink): Promise<Rejection | null> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const message = `not valid JSON (${(err as Error).message})`;
    return { kind: 'invalid', message, fields: [] };
  }
  try {
    await sink(raw);
    return null;
  } catch (err) {
    return rejectionOf(err);
  }
}

export function describeLineProblem(p: LineProblem): string {
  const where = p.fields.length > 0 ? p.fields.map((f) => `${f.field} ${f.problem}`).join('; ') : p.message;
  return `line ${p.line}: ${p.kind === 'conflict' ? 'rejected: ' : ''}${where}`;
}
