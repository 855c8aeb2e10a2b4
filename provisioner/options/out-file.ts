import { writeFileSync } from 'node:fs';
import { UserError } from '../../lib/user-error.ts';

/** Writes a file the user named (--out, --png); a path that cannot be written is the user's to fix, not a crash. */
export function writeOutFile(path: string, data: string | Uint8Array, option = '--out'): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw new UserError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, `give ${option} a path in an existing, writable directory`);
  }
}
