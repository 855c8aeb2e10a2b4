// A driver program run with the device codec inside the real interpreter, as
// the codec test and the codec benchmark both do.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESPRUINO_2950 } from './interpreter.ts';

/** The 32-bit Linux build with 2950 variables (see ./interpreter.ts for where it is looked for). */
export const INTERPRETER_2950 = ESPRUINO_2950 ?? 'espruino-2950 (not found)';

const deviceDir = new URL('../../protocol/device/', import.meta.url).pathname;

/**
 * Bundles `driver` (TypeScript in the interpreter's subset, importing
 * './codec.ts' and './tables.generated.ts') like the firmware, runs `prelude`
 * then the bundle on the interpreter, and returns what it printed.
 */
export async function runCodecDriver(driver: string, prelude: string, timeoutMs: number): Promise<string> {
  const bundle = await build({
    stdin: { contents: driver, loader: 'ts', resolveDir: deviceDir },
    bundle: true,
    format: 'iife',
    target: 'es2015',
    minify: true,
    charset: 'ascii',
    write: false,
    logLevel: 'silent',
  });
  const dir = mkdtempSync(join(tmpdir(), 'dp-codec-driver-'));
  try {
    const file = join(dir, 'driver.js');
    writeFileSync(file, prelude + bundle.outputFiles[0]!.text + '\nquit();\n');
    return execFileSync(INTERPRETER_2950, [file], { cwd: dir, timeout: timeoutMs, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
