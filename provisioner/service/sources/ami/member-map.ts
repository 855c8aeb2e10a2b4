import { readFileSync } from 'node:fs';
import { stationIdProblem } from '../../../../protocol/topics.ts';
import { UserError } from '../../../../lib/user-error.ts';
import { DESKS, type Desk } from '../../calls.ts';
import { CsvError, readCsv } from '../../../csv.ts';

/** Where a queue member or a transfer target leads: a station, or one of the specialist desks. */
export type Target = { station: string } | { desk: Desk };

/**
 * Which queue member is which station, from a CSV with the header
 * `member,station[,extension]`: `member` is the member's Interface
 * (PJSIP/1001) or its MemberName; `station` a station id, or a specialist
 * desk (fault-service, laboratory) for transfer targets; `extension` the
 * dialplan extension that rings it, for recognising blind transfers.
 */
export class MemberMap {
  private readonly byMember = new Map<string, Target>();
  private readonly byExtension = new Map<string, Target>();

  constructor(rows: { member: string; target: Target; extension: string }[]) {
    for (const row of rows) {
      if (row.member) this.byMember.set(row.member, row.target);
      if (row.extension) this.byExtension.set(row.extension, row.target);
    }
  }

  /** The station of a queue member, by Interface first, then MemberName. */
  station(iface: string, memberName = ''): string | undefined {
    const t = this.byMember.get(iface) ?? (memberName ? this.byMember.get(memberName) : undefined);
    return t && 'station' in t ? t.station : undefined;
  }

  /** The target a channel belongs to: "PJSIP/1002-0000001a" is a channel of device PJSIP/1002. */
  channelTarget(channel: string): Target | undefined {
    return this.byMember.get(deviceOf(channel));
  }

  extensionTarget(extension: string): Target | undefined {
    return this.byExtension.get(extension);
  }

  /** Every station the map names. */
  stations(): string[] {
    return [...new Set([...this.byMember.values()].flatMap((t) => ('station' in t ? [t.station] : [])))];
  }

  /** Map rows naming an interface (tech/resource) for `station`; the first is where QueuePause goes until Asterisk says otherwise. */
  interfaceOf(station: string): string | undefined {
    for (const [member, t] of this.byMember) if ('station' in t && t.station === station && member.includes('/')) return member;
    return undefined;
  }
}

/** The device part of a channel name: Asterisk appends "-<sequence>" to it (PJSIP/1001-00000007). */
export function deviceOf(channel: string): string {
  return channel.replace(/-[0-9a-f]+(;\d+)?$/i, '');
}

/** Reads and checks the map file; every problem is named with its line. */
export function loadMemberMap(file: string): MemberMap {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the member map ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check the path given with --map');
  }
  const fix = 'the map is CSV with the header member,station[,extension], e.g. "PJSIP/1001,wv-01,1001"';
  let records;
  try {
    records = readCsv(text).filter((r) => r.fields.some((f) => f.trim() !== ''));
  } catch (err) {
    if (err instanceof CsvError) throw new UserError(`member map ${file}: ${err.message}`, fix);
    throw err;
  }
  const header = records.shift()?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  if (header[0] !== 'member' || header[1] !== 'station' || (header.length > 2 && (header[2] !== 'extension' || header.length > 3))) {
    throw new UserError(`member map ${file} has the header "${header.join(',')}"`, fix);
  }
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const rows = records.map(({ line, fields }) => {
    const [member = '', station = '', extension = ''] = fields.map((f) => f.trim());
    const target: Target = (DESKS as readonly string[]).includes(station) ? { desk: station as Desk } : { station };
    if (!member && !extension) problems.push(`line ${line}: give a member (interface or member name) or an extension`);
    if ('station' in target && stationIdProblem(station)) problems.push(`line ${line}: ${stationIdProblem(station)}`);
    for (const key of [member && `member ${member}`, extension && `extension ${extension}`]) {
      if (!key) continue;
      if (seen.has(key)) problems.push(`line ${line}: ${key} is already mapped on line ${seen.get(key)}`);
      seen.set(key, line);
    }
    return { member, target, extension };
  });
  if (problems.length > 0) throw new UserError(`member map ${file}: ${problems.join('; ')}`, fix);
  if (rows.length === 0) throw new UserError(`member map ${file} maps no queue member`, fix);
  return new MemberMap(rows);
}
