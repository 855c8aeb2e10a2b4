import { renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

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
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.staging, content, { mode: 0o600 });
  }

  commit(): void {
    renameSync(this.staging, this.path);
  }

  abort(): void {
    rmSync(this.staging, { force: true });
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
