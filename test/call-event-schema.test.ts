// The call events have one declaration (CallEventSchema): the committed JSON
// Schema is generated from it, and the table in docs/events.md names the same
// types and fields, required and optional (a `?` after the field), as it does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CALL_EVENT_SCHEMA_FILE, CallEventSchema, renderCallEventSchema } from '../provisioner/service/calls.ts';

const DOC = join(import.meta.dirname, '..', 'docs', 'events.md');

/** "type: a, b?" per row of the schema table in docs/events.md, fields in the order given. */
function documentedTypes(markdown: string): string[] {
  const table = markdown.slice(markdown.indexOf('## Schema'), markdown.indexOf('## What a source gets back'));
  return [...table.matchAll(/^\| `(\w+)`\s*\|([^|]*)\|/gm)].map(([, type, fields]) => {
    const names = [...fields.matchAll(/`([A-Za-z]+)`(\??)/g)].map(([, name, optional]) => name + optional);
    return `${type}: ${names.join(', ')}`;
  });
}

function declaredTypes(): string[] {
  return CallEventSchema.options.map((o) => {
    const fields = Object.entries(o.shape)
      .filter(([name]) => name !== 'type' && name !== 'station')
      .map(([name, field]) => name + (field.safeParse(undefined).success ? '?' : ''));
    return `${o.shape.type.value}: ${fields.join(', ')}`;
  });
}

it('has a committed JSON Schema equal to the one generated (npm run gen:schemas)', () => {
  expect(readFileSync(CALL_EVENT_SCHEMA_FILE, 'utf8')).toBe(renderCallEventSchema());
});

it('documents each type with the fields the schema declares', () => {
  expect(documentedTypes(readFileSync(DOC, 'utf8'))).toEqual(declaredTypes());
});
