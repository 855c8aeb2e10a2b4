// The CLI's one CSV reader (station import, accounts import, the member map): quoting as spreadsheets write it, and
// line numbers that match the file even when a quoted field spans lines.
import { expect, it } from 'vitest';
import { CsvError, readCsv, writeCsv } from '../provisioner/csv.ts';

it('reads quoted commas, doubled quotes, CRLF, a BOM and a line break inside quotes', () => {
  const text = '\ufeffid,name,areas\r\ndesk-1,"Platz 1, ""vorne""",WV\r\ndesk-2,"zwei\nZeilen","WV,KM"\r\n\r\ndesk-3,,KM';
  expect(readCsv(text)).toEqual([
    { line: 1, fields: ['id', 'name', 'areas'] },
    { line: 2, fields: ['desk-1', 'Platz 1, "vorne"', 'WV'] },
    { line: 3, fields: ['desk-2', 'zwei\nZeilen', 'WV,KM'] },
    { line: 6, fields: ['desk-3', '', 'KM'] },
  ]);
});

it('reads what the CLI writes', () => {
  const rows = [['id', 'name'], ['desk-1', 'a "quoted", name'], ['desk-2', 'two\nlines']];
  expect(readCsv(writeCsv(rows[0], rows.slice(1))).map((r) => r.fields)).toEqual(rows);
});

it('names the line of a malformed field', () => {
  expect(() => readCsv('id,name\ndesk-1,Platz "1"\n')).toThrow(new CsvError(2, 'a quote inside an unquoted field; quote the whole field and double inner quotes'));
  expect(() => readCsv('id,name\ndesk-1,"open\n')).toThrow(/line 2: a quoted field is not closed/);
});
