// A test file or describe block that needs something from the machine says
// so with requires(...): where it is missing, its tests skip with a note that
// names it and how to get it (summed up in one line at the end of the run,
// ./skip-summary-reporter.ts), and with CI=true they fail with that message
// instead, so CI never passes by skipping. What is missing is found once per
// run, in test/helpers/global-setup.ts.
import { beforeEach, inject } from 'vitest';
import { howToGet, inCI, SKIP_NOTE_PREFIX, type Missing, type Prerequisite } from './prerequisites.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    missingPrerequisites: Missing[];
  }
}

/**
 * Registers the check for the tests in the current scope (the file, or the
 * describe block it is called in). Returns whether everything is there, for
 * set-up in beforeAll that would fail without it.
 */
export function requires(...names: Prerequisite[]): boolean {
  const missing = inject('missingPrerequisites').filter((m) => names.includes(m.name));
  if (!missing.length) return true;
  const note = SKIP_NOTE_PREFIX + missing.map((m) => `${m.name} (${howToGet(m)})`).join(' and ');
  const ci = inCI();
  beforeEach((ctx) => {
    if (ci) throw new Error(`CI=true: a missing prerequisite fails the test. ${missing.map((m) => `${m.name} is missing (${m.why}); get it: ${howToGet(m)}`).join('. ')}`);
    ctx.skip(note);
  });
  return false;
}
