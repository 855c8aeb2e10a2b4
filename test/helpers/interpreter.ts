// Where the real Espruino 2v29 Linux interpreters are: every test and bench that
// runs the interpreter finds it here, so there is one rule to document and change.
// Order: $DESKPHONE_ESPRUINO_DIR, then ../shared/espruino beside the checkout,
// then /opt/espruino. The folder holds `espruino-2950` (32-bit, 2950 fixed
// 13-byte variables as on the Pixl.js; runs natively or under qemu-i386-static)
// and `espruino-64` (64-bit, resizable variables: fast, for behaviour only).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The folders searched, in order, each with where the rule comes from. */
export function interpreterDirCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  if (env.DESKPHONE_ESPRUINO_DIR) dirs.push(resolve(env.DESKPHONE_ESPRUINO_DIR));
  dirs.push(resolve(projectRoot, '..', 'shared', 'espruino'), '/opt/espruino');
  return dirs;
}

/** The first folder that holds `name`, or null. */
function locate(name: string): string | null {
  for (const dir of interpreterDirCandidates()) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  return null;
}

/** The 32-bit build with 2950 variables, or null where none is found. */
export const ESPRUINO_2950: string | null = locate('espruino-2950');
/** The 64-bit build, or null where none is found. */
export const ESPRUINO_64: string | null = locate('espruino-64');
