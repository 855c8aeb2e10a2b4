// One line at the end of a run: which tests were skipped for a missing
// prerequisite, and how to get it (the notes ./requires.ts gives the skips).
import type { Reporter, TestModule } from 'vitest/node';
import { SKIP_NOTE_PREFIX } from './prerequisites.ts';

export default class SkipSummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = new Map<string, number>();
    for (const module of modules)
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'skipped' && result.note?.startsWith(SKIP_NOTE_PREFIX)) counts.set(result.note, (counts.get(result.note) ?? 0) + 1);
      }
    if (!counts.size) return;
    const parts = [...counts].map(([note, n]) => `${n} ${n === 1 ? 'test needs' : 'tests need'} ${note.slice(SKIP_NOTE_PREFIX.length)}`);
    console.log(`\nSkipped for missing prerequisites (CI=true fails them instead): ${parts.join('; ')}`);
  }
}
