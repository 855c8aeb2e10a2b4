import { readFileSync } from 'node:fs';
import { UserError } from '../../lib/user-error.ts';

/** Reads a secret from a file so it never shows up in the process list or shell history. */
export function readSecret(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, `check the path given for the ${what}`);
  }
  const secret = text.split(/\r?\n/)[0].trim();
  if (!secret) throw new UserError(`the ${what} file ${file} is empty`, `put the ${what} on its first line`);
  return secret;
}
