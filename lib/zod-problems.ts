// Readable problems from a zod check, one per fault, each naming the field
// ("display.bus.sda: ...") and what is wrong with it.
import { z } from 'zod';

/** A field's path as a reader writes it: input.buttons[0].key. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${String(p)}` : String(p)), '');
}

/** A raw issue as an error map sees it: with the input and the schema that found the fault. */
export type RawIssue = z.core.$ZodRawIssue & { input?: unknown; schema?: { shape?: Record<string, unknown> } };

/** A string with a pattern, described for the schema's readers and named in the problem when a value does not match. */
export function patterned(pattern: RegExp, description: string): z.ZodString {
  return z
    .string()
    .regex(pattern, { error: (issue) => `${JSON.stringify(issue.input)} is not ${description}` })
    .describe(description);
}
