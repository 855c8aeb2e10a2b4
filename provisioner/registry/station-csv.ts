// Station lists as CSV for bulk provisioning: `station export` writes what
// `station import` reads (id,name,areas,board; areas like "WV,KM" quoted).

import { UserError } from '../../lib/user-error.ts';
import { readCsvTable, writeCsv } from '../csv.ts';
import { parseAreas, type NewStation, type Registry, type Station } from './index.ts';

export const STATION_CSV_COLUMNS = ['id', 'name', 'areas', 'board'] as const;

/** How many row problems an import reports before it stops listing them. */
const MAX_REPORTED = 10;

export function stationsToCsv(stations: Station[]): string {
  return writeCsv(STATION_CSV_COLUMNS, stations.map((s) => [s.id, s.name, s.areas.join(','), s.board]));
}

/**
 * Reads an import file and checks every row against the registry. Any bad
 * row rejects the whole file: the UserError names each bad line (up to ten).
 */
export function stationsFromCsv(text: string, registry: Registry, fileName: string): NewStation[] {
  const reject = (problems: string[]) =>
    new UserError(`${fileName} was not imported:\n  ${problems.join('\n  ')}`, 'correct the file and import it again; nothing was added');
  const problems: string[] = [];
  const stations: NewStation[] = [];
  const firstLine = new Map<string, number>();
  for (const record of readCsvTable(text, STATION_CSV_COLUMNS, 'id', reject)) {
    const problem = (text: string) => problems.push(`line ${record.line}: ${text}`);
    if (record.problem !== undefined) {
      problems.push(record.problem);
      continue;
    }
    const row = record.row;
    let areas: string[] = [];
    try {
      areas = parseAreas(row.areas ?? '');
    } catch (err) {
      problem((err as Error).message);
      continue;
    }
    const station: NewStation = { id: row.id, name: row.name ?? '', areas, board: row.board ?? '' };
    const earlier = firstLine.get(station.id);
    const why = earlier ? `station "${station.id}" already appears on line ${earlier}` : registry.newStationProblem(station);
    if (why) problem(why);
    else {
      firstLine.set(station.id, record.line);
      stations.push(station);
    }
  }
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_REPORTED);
    if (problems.length > MAX_REPORTED) listed.push(`... and ${problems.length - MAX_REPORTED} more`);
    throw reject(listed);
  }
  if (stations.length === 0) throw reject(['no stations below the header']);
  return stations;
}
