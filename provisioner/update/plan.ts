// What a `deskphone update` command line asks for, checked before anything
// is written or sent: durations, the maintenance window, the byte rate, and
// which stations the image goes to.
import { UserError } from '../../lib/user-error.ts';
import { parseAreas, type Station } from '../registry/index.ts';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1000, kib: 1024, mb: 1_000_000, mib: 1_048_576 };

/** "10m", "90s", "1h", "250ms" (a bare number is seconds) in milliseconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) throw new UserError(`${option} "${text}" is not a duration`, `give it like 30s, 10m or 1h`);
  return Math.round(Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()]);
}

/** "200KB", "1MB", "64KiB", "5000" (bytes) per second. */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib)?(?:\/s)?\s*$/i.exec(text);
  const bytes = m ? Math.round(Number(m[1]) * BYTE_UNITS[(m[2] ?? 'b').toLowerCase()]) : 0;
  if (!m || bytes < 1) throw new UserError(`--rate "${text}" is not a byte rate`, 'give bytes per second like 200KB, 1MB or 64KiB');
  return bytes;
}

/** A daily maintenance window in local time; it may wrap past midnight (18:00-07:00). */
export interface MaintenanceWindow {
  text: string;
  fromMin: number;
  toMin: number;
}

export function parseWindow(text: string): MaintenanceWindow {
  const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  const [fh, fm, th, tm] = m ? m.slice(1).map(Number) : [];
  if (!m || fh > 23 || th > 23 || fm > 59 || tm > 59) throw new UserError(`--window "${text}" is not a time range`, 'give it as HH:MM-HH:MM in local time, e.g. 18:00-07:00');
  if (fh * 60 + fm === th * 60 + tm) throw new UserError(`--window "${text}" is empty`, 'give two different times, or leave --window out to update at any time');
  return { text: text.trim(), fromMin: fh * 60 + fm, toMin: th * 60 + tm };
}

export function inWindow(w: MaintenanceWindow, at: Date): boolean {
  const min = at.getHours() * 60 + at.getMinutes();
  return w.fromMin < w.toMin ? min >= w.fromMin && min < w.toMin : min >= w.fromMin || min < w.toMin;
}

export function positiveInt(value: number, option: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new UserError(`${option} ${value} is not a whole number of at least ${min}`, `give ${option} as a whole number >= ${min}`);
  return value;
}

export interface Selection {
  targets: Station[];
  /** Stations of the selection left out, with why (another board, already current for outdated). */
  leftOut: { id: string; reason: string }[];
}

/** The board a station runs: what its birth said, else what it was registered with. */
export function stationBoard(s: Station): string {
  return s.reportedBoard || s.board;
}

/**
 * `--stations all|outdated|<id,id,...>` and `--area`. Named stations must
 * exist and run the image's board; all and outdated take the stations of
 * that board and say how many others they left out.
 */
export function selectStations(stations: Station[], spec: string, area: string | undefined, image: { board: string; version: string }): Selection {
  let areaFilter: string[] = [];
  if (area) {
    try {
      areaFilter = parseAreas(area);
    } catch (err) {
      throw new UserError(`--area: ${(err as Error).message}`, 'give an area code like WV or KM');
    }
  }
  const inArea = (s: Station) => areaFilter.length === 0 || s.areas.some((a) => areaFilter.includes(a));
  const word = spec.trim().toLowerCase();
  const leftOut: Selection['leftOut'] = [];
  let chosen: Station[];
  if (word === 'all' || word === 'outdated') {
    chosen = [];
    for (const s of stations.filter(inArea)) {
      const board = stationBoard(s);
      if (board !== image.board) leftOut.push({ id: s.id, reason: board ? `runs ${board}` : 'board unknown' });
      else if (word === 'outdated' && s.firmware === image.version) leftOut.push({ id: s.id, reason: `already on ${image.version}` });
      else chosen.push(s);
    }
  } else {
    const ids = [...new Set(spec.split(/[,\s]+/).filter(Boolean))];
    if (ids.length === 0) throw new UserError('--stations is empty', 'give all, outdated, or station ids separated by commas');
    const byId = new Map(stations.map((s) => [s.id, s]));
    const unknown = ids.filter((id) => !byId.has(id));
    if (unknown.length) throw new UserError(`no station ${unknown.map((id) => `"${id}"`).join(', ')}`, 'check the ids with `deskphone station list`; nothing was sent');
    chosen = ids.map((id) => byId.get(id)!).filter(inArea);
    const wrong = chosen.filter((s) => stationBoard(s) !== image.board);
    if (wrong.length) {
      const list = wrong.map((s) => `${s.id} (${stationBoard(s) || 'board unknown'})`).join(', ');
      throw new UserError(`the image is for ${image.board}, but not ${list}`, `update those with --firmware <their board>, or leave them out of --stations; nothing was sent`);
    }
  }
  if (chosen.length === 0) {
    throw new UserError(
      `no station to update${area ? ` in area ${areaFilter.join(',')}` : ''} with the ${image.board} image ${image.version}${leftOut.length ? ` (${leftOut.length} left out: ${summarizeLeftOut(leftOut)})` : ''}`,
      'check `deskphone station list` (firmware and board columns) and --stations/--area; nothing was sent',
    );
  }
  return { targets: chosen, leftOut };
}

/** "3 run pixljs-w5100, 2 already on 1.4.0". */
export function summarizeLeftOut(leftOut: Selection['leftOut']): string {
  const counts = new Map<string, number>();
  for (const l of leftOut) counts.set(l.reason, (counts.get(l.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
}
