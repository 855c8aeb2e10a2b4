// `npm test` runs this first (pretest): when the machine lacks something the
// suite needs, it says in one line what and the command that installs it, and
// stops before anything else runs. (`npx vitest run` skips those tests
// instead and names them at the end; with CI=true they fail.)
import { findMissing, installCommand } from '../test/helpers/prerequisites.ts';

const missing = findMissing();
if (missing.length) {
  const install = installCommand(missing);
  const fixes = [...new Set(missing.flatMap((m) => (m.fix ? [m.fix] : [])))];
  console.error(
    `npm test needs what this machine lacks: ${missing.map((m) => `${m.name} (${m.why})`).join(', ')}.` +
      (install ? ` Install: ${install}` : '') +
      (fixes.length ? `${install ? ';' : ''} ${fixes.join('; ')}` : ''),
  );
  process.exit(1);
}
