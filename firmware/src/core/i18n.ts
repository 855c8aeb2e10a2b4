// Reading the desk's string table (text.generated.ts, from protocol/catalogue.ts).

/** String `id` of a table. */
export function tr(t: string, id: number): string {
  let a = 0;
  for (let i = 0; i < id; i++) a = t.indexOf('|', a) + 1;
  const b = t.indexOf('|', a);
  return b < 0 ? t.substring(a) : t.substring(a, b);
}
