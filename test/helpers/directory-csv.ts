// A directory file of made-up accounts in the `deskphone accounts import`
// format, for tests and the import bench.

const FIRST = ['Anna', 'Bernd', 'Clara', 'Dieter', 'Eva', 'Frank', 'Gisela', 'Hans', 'Ingrid', 'Jürgen'];
const LAST = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann'];
const STREET = ['Hauptstr.', 'Schulstr.', 'Gartenweg', 'Bahnhofstr.', 'Lindenallee', 'Am Wasserwerk'];
const PLACE = ['10115 Berlin', '20095 Hamburg', '80331 München', '50667 Köln', '60311 Frankfurt'];

/** A directory CSV of `rows` made-up accounts (about 65 bytes a row), in the import format. */
export function directoryCsv(rows: number): string {
  const lines = ['account,name,street,place,open_items,open_cents'];
  for (let i = 0; i < rows; i++) {
    lines.push(`${400000000000 + i},"${LAST[i % 10]}, ${FIRST[(i * 7) % 10]}",${STREET[i % 6]} ${1 + (i % 120)},${PLACE[i % 5]},${i % 4},${i % 4 ? (i * 37) % 40000 : 0}`);
  }
  return lines.join('\n') + '\n';
}
