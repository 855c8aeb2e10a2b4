// The layers of the code, kept by its imports: a module imports only what
// lies beside or below it. Top to bottom on the host: the CLI (cli.ts,
// commands/), the main job (up/), the options the commands share and what
// they build (options/), the host services (broker/, registry/, service/,
// dashboard/, flash/, demo/, …); under everything the protocol, which
// depends on nothing, and lib/, which depends on nothing of the project.
// Firmware and hardware never reach into the host, and no shipped code into
// the tests, benchmarks or scripts. What describes the interpreter (what it
// lacks, the build gate, its builds and modules) lies in hardware/ beside the
// boards, below both the firmware and the simulator, which never import each
// other; the protocol's generators are scripts that nothing else imports
// (the host codec reads protocol/schema.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const TOOLS = ['test/', 'bench/', 'scripts/'];

/** [where the importing file is, where it must not import from]; the most specific prefix of a file applies with all broader ones. */
const NEVER: [string, string[]][] = [
  ['lib/', ['protocol/', 'hardware/', 'firmware/', 'provisioner/', ...TOOLS]],
  ['protocol/', ['lib/', 'hardware/', 'firmware/', 'provisioner/', ...TOOLS]],
  ['protocol/', ['protocol/gen-']],
  ['hardware/', ['provisioner/', 'firmware/', ...TOOLS]],
  ['firmware/', ['provisioner/', 'hardware/sim/', ...TOOLS]],
  ['provisioner/', ['protocol/gen-']],
  ['provisioner/', TOOLS],
  ['provisioner/up/', ['provisioner/cli.ts', 'provisioner/commands/']],
  ['provisioner/options/', ['provisioner/cli.ts', 'provisioner/commands/', 'provisioner/up/']],
];
/** The host services: everything in provisioner/ below the options. */
const ABOVE_SERVICES = ['provisioner/cli.ts', 'provisioner/commands/', 'provisioner/up/', 'provisioner/options/'];

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function sources(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.js'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !TOOLS.some((t) => f.startsWith(t)) && !f.startsWith('firmware/dist/'));
}

function forbidden(file: string): string[] {
  // What a file lies in itself is beside it (a generator may import another generator).
  const rules = NEVER.filter(([where]) => file.startsWith(where))
    .flatMap(([, never]) => never)
    .filter((n) => !file.startsWith(n));
  const service = file.startsWith('provisioner/') && !ABOVE_SERVICES.some((a) => file.startsWith(a));
  return service ? [...rules, ...ABOVE_SERVICES] : rules;
}

it('keeps every import beside or below the importing module', () => {
  const wrong: string[] = [];
  for (const file of sources()) {
    const never = forbidden(file);
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const [, spec] of text.matchAll(IMPORT)) {
      const target = normalize(join(dirname(file), spec));
      const rule = never.find((n) => target.startsWith(n));
      if (rule) wrong.push(`${file} imports ${target} (nothing in ${file.split('/')[0]}/ at that place imports ${rule})`);
    }
  }
  expect(wrong).toEqual([]);
});

it('finds imports the way the rule reads them', () => {
  // the rule is only as good as the import pattern: it must see each form the code uses
  const text = `import { a } from '../x/a.ts';\nimport type { B } from "./b.ts";\nconst c = await import('../../c.ts');\nimport './d.ts';`;
  expect([...text.matchAll(IMPORT)].map((m) => m[1])).toEqual(['../x/a.ts', './b.ts', '../../c.ts', './d.ts']);
});
