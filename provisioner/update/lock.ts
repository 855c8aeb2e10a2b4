// One `deskphone update` per data directory: two would offer different
// images to the same desks and take over each other's broker session.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../lib/user-error.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory's update lock (a file with the holder's pid); a lock left by a dead process is taken over. Returns the release. */
export function holdUpdateLock(dir: string): () => void {
  const file = join(dir, 'update.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new UserError(`another deskphone update is running on this data directory (pid ${holder})`, 'wait for it to finish or stop it with Ctrl-C; its desks resume in the next run');
      }
      rmSync(file, { force: true });
    }
  }
  throw new UserError(`cannot take the update lock ${file}`, 'remove the file if no deskphone update runs, then run the command again');
}
