import { renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../lib/user-error.ts';

/**
 * A file holding secrets, written next to its final name (mode 0600) and only
 * moved into place by `commit()`, so a failed command leaves nothing behind.
 */
export class PrivateFile {
  private readonly staging: string;

  constructor(readonly path: string) {
    this.staging = `${path}.${process.pid}.tmp`;
  }

  stage(content: string): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(this.staging, content, { mode: 0o600 });
    } catch (err) {
      throw new UserError(`cannot write ${this.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'give a path in a directory you can write to; nothing was changed');
    }
  }

  commit(): void {
    renameSync(this.staging, this.path);
  }

  abort(): void {
    try {
      rmSync(this.staging, { force: true });
    } catch {
      // Where the staging file cannot be removed (its directory is a file, say) it was never written; the stage error is the one to report.
    }
  }
}

/** Writes a secret-bearing file in one step (staged, then renamed). */
export function writePrivateFile(path: string, content: string): void {
  const file = new PrivateFile(path);
  try {
    file.stage(content);
    file.commit();
  } catch (err) {
    file.abort();
    throw err;
  }
}
