// A synthetic customer directory for the demo: made-up combinations of common
// German first names and surnames, invented streets and invented places, so
// lookups on the virtual desks show something realistic and nobody real.
import type { Db } from '../db.ts';
import { importAccounts, ACCOUNT_COLUMNS } from '../service/account-import.ts';
import { DEFAULT_ACCOUNT_RULE } from '../service/accounts.ts';
import { writeCsv } from '../csv.ts';
import { migrateService } from '../service/store.ts';
import { seededRandom } from '../seeded-random.ts';

const FIRST = ['Anna', 'Jonas', 'Lea', 'Lukas', 'Marie', 'Felix', 'Sophie', 'Paul', 'Emma', 'Leon', 'Hanna', 'Finn', 'Greta', 'Karl', 'Ida', 'Emil', 'Frieda', 'Otto', 'Mila', 'Theo', 'Jürgen', 'Ute', 'Dieter', 'Sabine', 'Bärbel', 'Günter'];
const LAST = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Koch', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Braun', 'Hofmann', 'Zimmermann', 'Krüger', 'Hartmann', 'Lange', 'Werner'];
const STREET = ['Am Wasserturm', 'Brunnenweg', 'Quellenstraße', 'Mühlbachgasse', 'Lindenallee', 'Am Klärwerk', 'Pumpenhausweg', 'Schleusenstraße', 'Hochbehälterring', 'Uferpromenade', 'Zisternenplatz', 'Birkenstieg'];
/** Invented places with postcodes in no real order. */
const PLACE = ['04711 Quellingen', '12345 Brunnstadt', '23456 Wasserburg am Bach', '34567 Neu-Pumpenau', '45678 Schleusenfeld', '56789 Mühlenhain'];

export const DEMO_ACCOUNTS = 300;

/** Account numbers of the demo directory, 12 digits, in a range no real numbering uses (starting 4000). */
function accountNumber(i: number): string {
  return '4000' + String(10_000_000 + i * 7919).slice(-8);
}

/** The demo's account numbers, for virtual agents to key in; the same every run. */
export function demoAccountNumbers(count = DEMO_ACCOUNTS): string[] {
  return Array.from({ length: count }, (_, i) => accountNumber(i));
}

/** The directory as CSV in the import format (`deskphone accounts import`). */
export function demoDirectoryCsv(count = DEMO_ACCOUNTS, seed = 1): string {
  const random = seededRandom(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const rows = demoAccountNumbers(count).map((account) => {
    const owing = random() < 0.3;
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    const street = `${pick(STREET)} ${1 + Math.floor(random() * 120)}`;
    const place = pick(PLACE);
    return owing ? [account, name, street, place, 1 + Math.floor(random() * 3), Math.floor(random() * 40_000)] : [account, name, street, place, 0, 0];
  });
  return writeCsv(ACCOUNT_COLUMNS, rows);
}

/** Imports the synthetic directory unless the directory already has accounts (a real one is never touched). */
export async function seedDemoDirectory(db: Db): Promise<{ imported: number }> {
  migrateService(db);
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM svc_account').get() as { n: number };
  if (n > 0) return { imported: 0 };
  return importAccounts(db, demoDirectoryCsv(), DEFAULT_ACCOUNT_RULE, false);
}
