// How `deskphone update` shows a rollout: on a terminal a table per station
// redrawn in place with a bar; into a pipe one line per change of a
// station's state; at the end the result table and the counts.
import { formatTable } from '../text.ts';
import { isFinal, type TargetRecord, type TargetState } from './store.ts';

const BAR_WIDTH = 20;

/** How each state reads in the tables. */
export const STATE_TEXT: Record<TargetState, string> = {
  waiting: 'waiting',
  offered: 'offered',
  busy: 'busy (waits)',
  sending: 'sending',
  rebooting: 'restarting',
  verified: 'verified, restarting',
  probation: 'canary, watched',
  updated: 'updated',
  current: 'already current',
  'rolled-back': 'ROLLED BACK',
  failed: 'FAILED',
  offline: 'offline',
  stopped: 'stopped',
};

function bar(done: number, size: number): string {
  const filled = size ? Math.round((BAR_WIDTH * Math.min(done, size)) / size) : 0;
  return '[' + '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled) + ']';
}

function percent(done: number, size: number): string {
  return size ? `${Math.floor((100 * Math.min(done, size)) / size)}%` : '-';
}

/** The live table: station, state, bytes, bar, detail. */
export function progressTable(targets: TargetRecord[], size: number): string {
  const rows = targets.map((t) => [t.station + (t.canary ? ' *' : ''), STATE_TEXT[t.state], `${t.offset}/${size}`, bar(t.offset, size), percent(t.offset, size), t.detail]);
  return formatTable(['STATION', 'STATE', 'BYTES', '', '', 'DETAIL'], rows, { right: [2, 4] });
}

/** One line for a pipe or a log. */
export function progressLine(t: TargetRecord, size: number, at: number): string {
  return `${new Date(at).toISOString()} ${t.station} ${STATE_TEXT[t.state]} ${t.offset}/${size}${t.detail ? ' ' + t.detail : ''}`;
}

/** "updated 17, already current 1, rolled back 1, failed 1". */
export function resultCounts(targets: TargetRecord[]): string {
  return (Object.keys(STATE_TEXT) as TargetState[])
    .sort((a, b) => Number(isFinal(b)) - Number(isFinal(a)))
    .map((state) => [STATE_TEXT[state].toLowerCase(), targets.filter((t) => t.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([text, n]) => `${text} ${n}`)
    .join(', ');
}

export function resultTable(targets: TargetRecord[], version: string): string {
  const rows = targets.map((t) => [t.station + (t.canary ? ' *' : ''), STATE_TEXT[t.state], t.fromVersion || '-', t.state === 'updated' || t.state === 'current' ? version : t.fromVersion || '-', t.detail]);
  return formatTable(['STATION', 'RESULT', 'FROM', 'NOW', 'DETAIL'], rows);
}

/** Succeeded: the desk runs the image now. */
export function succeeded(t: TargetRecord): boolean {
  return t.state === 'updated' || t.state === 'current';
}

/**
 * Redraws the table on a terminal at most every `intervalMs`, in place
 * (cursor up over the last drawing, clear below): no scrollback growth.
 */
export class LiveTable {
  private lines = 0;
  private drawnAt = 0;
  private dirty = true;

  constructor(
    private readonly write: (text: string) => void,
    private readonly render: () => string,
    private readonly intervalMs = 250,
  ) {}

  changed(): void {
    this.dirty = true;
  }

  draw(now = Date.now(), force = false): void {
    if (!force && (!this.dirty || now - this.drawnAt < this.intervalMs)) return;
    this.dirty = false;
    this.drawnAt = now;
    const text = this.render();
    this.write((this.lines ? `\x1b[${this.lines}A\r\x1b[J` : '') + text);
    this.lines = text.split('\n').length;
  }
}
