// What the tests need from the machine beyond node_modules, how to tell it is
// there, and how to get it: one list for the `npm test` pre-check
// (scripts/check-test-prerequisites.ts), the run's global setup (which finds
// what is missing once and hands it to the test files, see ./requires.ts) and
// the skip summary (./skip-summary-reporter.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOCAT } from '../../hardware/sim/repl/pty.ts';
import { ESPRUINO_2950, ESPRUINO_64, interpreterDirCandidates } from './interpreter.ts';
import { dynamicSecurityPlugin, MOSQUITTO } from './mosquitto.ts';

export type Prerequisite = 'espruino-2950' | 'espruino-64' | 'mosquitto' | 'mosquitto-clients' | 'socat' | 'chromium' | 'root';

export interface Missing {
  name: Prerequisite;
  /** What was looked for and not found, or what failed. */
  why: string;
  /** Debian packages that bring it. */
  debian: string[];
  /** How to get it, when it is not (only) a Debian package. */
  fix?: string;
}

export const CHROMIUM = '/usr/bin/chromium';
const BUILD_RECIPE = "build Espruino's Linux target (README, \"The real interpreter\") and set DESKPHONE_ESPRUINO_DIR to the folder";

/** Starts the note of a skip for a missing prerequisite, for the summary. */
export const SKIP_NOTE_PREFIX = 'needs ';

/** CI=true (or any value but false/0): a missing prerequisite fails its tests instead of skipping them. */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return !!ci && ci !== 'false' && ci !== '0';
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs `print(expression)` as a file on the interpreter, in a scratch folder
 * (it keeps its Storage in the working directory). Returns why it failed, or
 * null when it printed `expected`.
 */
function interpreterFails(interpreter: string, expression: string, expected: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'dp-probe-'));
  try {
    writeFileSync(join(dir, 'probe.js'), `print("PROBE "+(${expression}));`);
    const out = execFileSync(interpreter, ['probe.js'], { cwd: dir, encoding: 'latin1', timeout: 30_000, stdio: ['pipe', 'pipe', 'pipe'] });
    const got = /PROBE (\S*)/.exec(out)?.[1];
    return got === expected ? null : `${interpreter} printed ${JSON.stringify(got ?? out.slice(-200))} for ${expression}, not ${expected}`;
  } catch (err) {
    const e = err as { status?: number; stderr?: string; message: string };
    const said = (e.stderr ?? '').split('\n').filter((l) => l && !l.startsWith('espruino: ')).slice(-1)[0] ?? e.message;
    return `${interpreter} does not run (exit ${e.status ?? '?'}: ${said.trim()})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Debian packages that bring each (for an interpreter: what it needs to run once it is there). */
const DEBIAN: Record<Prerequisite, string[]> = {
  'espruino-2950': ['libc6-i386', 'lib32stdc++6', 'qemu-user-static'],
  'espruino-64': ['libstdc++6'],
  mosquitto: ['mosquitto'],
  'mosquitto-clients': ['mosquitto-clients'],
  socat: ['socat'],
  chromium: ['chromium'],
  root: ['util-linux'],
};

function missing(name: Prerequisite, why: string): Missing {
  return { name, why, debian: DEBIAN[name] };
}

function interpreterMissing(name: 'espruino-2950' | 'espruino-64', path: string | null, expression: string, expected: string): Missing | null {
  if (!path) return { name, why: `no ${name} in ${interpreterDirCandidates().join(', ')}`, debian: [], fix: BUILD_RECIPE };
  const why = interpreterFails(path, expression, expected);
  return why ? missing(name, why) : null;
}

const CHECKS: Record<Prerequisite, () => Missing | null> = {
  'espruino-2950': () => interpreterMissing('espruino-2950', ESPRUINO_2950, 'process.memory().total', '2950'),
  'espruino-64': () => interpreterMissing('espruino-64', ESPRUINO_64, 'process.env.BOARD', 'LINUX'),
  // the broker, its password tool, and for a site's own broker (the vitest project "mosquitto") its dynamic-security plugin and mosquitto_ctrl
  mosquitto: () =>
    existsSync(MOSQUITTO) && onPath('mosquitto_passwd') && onPath('mosquitto_ctrl') && dynamicSecurityPlugin()
      ? null
      : missing('mosquitto', `no ${MOSQUITTO}, mosquitto_passwd, mosquitto_ctrl or mosquitto_dynamic_security.so`),
  'mosquitto-clients': () => (onPath('mosquitto_pub') && onPath('mosquitto_sub') ? null : missing('mosquitto-clients', 'no mosquitto_pub or mosquitto_sub on PATH')),
  socat: () => (existsSync(SOCAT) ? null : missing('socat', `no ${SOCAT}`)),
  chromium: () => (existsSync(CHROMIUM) ? null : missing('chromium', `no ${CHROMIUM}`)),
  // Tests that act as another local user (runuser) or hand a file to one (chown).
  root: () =>
    process.getuid?.() !== 0
      ? { ...missing('root', `running as uid ${process.getuid?.()}`), debian: [], fix: 'run the tests as root, as CI does' }
      : onPath('runuser')
        ? null
        : missing('root', 'no runuser on PATH'),
};

export const PREREQUISITES = Object.keys(CHECKS) as Prerequisite[];

/**
 * Checks every prerequisite (under a second: the interpreters run once each).
 * DESKPHONE_PRETEND_MISSING=chromium,socat reports those missing whatever the
 * machine has: what a run on a machine without them does, here.
 */
export function findMissing(env: NodeJS.ProcessEnv = process.env): Missing[] {
  const pretend = new Set((env.DESKPHONE_PRETEND_MISSING ?? '').split(',').map((n) => n.trim()));
  return PREREQUISITES.map((name) => {
    if (!pretend.has(name)) return CHECKS[name]();
    return { ...missing(name, 'DESKPHONE_PRETEND_MISSING names it'), fix: DEBIAN[name].length ? undefined : BUILD_RECIPE };
  }).filter((m): m is Missing => m !== null);
}

/** The one command that installs the Debian packages of `missing`, or null when none would help. */
export function installCommand(missing: Missing[]): string | null {
  const packages = [...new Set(missing.flatMap((m) => m.debian))];
  if (!packages.length) return null;
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return `${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** How to get one prerequisite, for a skip note or a failure. */
export function howToGet(m: Missing): string {
  return [installCommand([m]), m.fix].filter(Boolean).join('; ');
}
