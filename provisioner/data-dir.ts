// The data directory holds the account directory (customer names and
// addresses), the audit, the broker's store and the host's own secrets:
// nothing in it is for other users of the machine.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dataDir, type Context } from './context.ts';
import { UserError } from '../lib/user-error.ts';

const OTHERS = 0o077;

/**
 * The data directory, ready for a command to open: created 0700 if missing;
 * if it exists open to others, made private again (it, the directories in it
 * 0700, the files 0600), saying so on stderr; refused if it belongs to
 * another user. From here on the process creates every file private (umask
 * 077): SQLite and LevelDB create files from native code at any time (WAL,
 * new tables of the broker store), which only the umask reaches.
 */
export function openDataDir(ctx: Context): string {
  const dir = dataDir(ctx.env);
  const notice = makePrivate(dir);
  if (notice) ctx.output.err(notice);
  return dir;
}

function makePrivate(dir: string): string {
  process.umask(process.umask(OTHERS) | OTHERS);
  let st;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    st = lstatSync(dir);
  } catch (err) {
    throw new UserError(
      `cannot open the data directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'set DESKPHONE_HOME to a directory you can write to (default: ./.deskphone)',
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    // Even root: files it created here would be unreadable for the owner (umask 077), breaking the host that runs as them.
    throw new UserError(`the data directory ${dir} belongs to another user (uid ${st.uid})`, 'run deskphone as that user, or set DESKPHONE_HOME to a directory of your own');
  }
  const opened: string[] = [];
  closeTree(dir, dir, opened);
  if (opened.length === 0) return '';
  if (opened[0].startsWith(' ')) return `note: the data directory ${dir} was open to other users (mode${opened[0]}); it is now 0700 and the files in it 0600`;
  const listed = opened.length > 3 ? [...opened.slice(0, 3), `and ${opened.length - 3} more`] : opened;
  return `note: ${opened.length} file(s) in the data directory ${dir} were open to other users (${listed.join(', ')}); they are now private (0600)`;
}

/** Takes group and other permissions off `path` and everything below it, listing each changed entry as "<relative path> <old mode>". */
function closeTree(root: string, path: string, opened: string[]): void {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if (gone(err)) return;
    throw err;
  }
  if (st.isSymbolicLink()) return;
  if (st.mode & OTHERS) {
    try {
      chmodSync(path, st.isDirectory() ? 0o700 : 0o600);
    } catch (err) {
      if (gone(err)) return;
      throw new UserError(`${path} is open to other users and cannot be made private: ${(err as NodeJS.ErrnoException).code}`, `make it private yourself (chmod -R go= ${path}) or move the data directory`);
    }
    opened.push(`${relative(root, path)} ${(st.mode & 0o777).toString(8)}`);
  }
  if (!st.isDirectory()) return;
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch (err) {
    if (gone(err)) return;
    throw err;
  }
  for (const entry of entries) closeTree(root, join(path, entry), opened);
}

/**
 * A running `deskphone up` removes files in the directory while another command walks it (LevelDB's compactions,
 * SQLite's journal): a file gone between listing and looking is no file open to others.
 */
function gone(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}
