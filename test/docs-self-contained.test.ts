// The repository cites no file outside itself (it once pointed at a shared
// ESPRUINO.md that a checkout does not have), and every relative link in its
// Markdown leads to a file that exists, anchors to a heading that exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
const text = tracked.filter((f) => /\.(ts|js|md|json|txt)$/.test(f) && !f.startsWith('test/golden/') && existsSync(join(ROOT, f)));

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
      m[1]
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

test('no file cites the shared notes outside the repository', () => {
  const citing = text.filter((f) => f !== 'test/docs-self-contained.test.ts' && /ESPRUINO(-REPL)?\.md/.test(readFileSync(join(ROOT, f), 'utf8')));
  expect(citing).toEqual([]);
});

test('relative Markdown links lead to files and headings that exist', () => {
  const broken: string[] = [];
  for (const file of text.filter((f) => f.endsWith('.md'))) {
    const body = readFileSync(join(ROOT, file), 'utf8');
    for (const [, target] of body.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const full = path ? resolve(dirname(join(ROOT, file)), path) : join(ROOT, file);
      if (!full.startsWith(ROOT) || !existsSync(full)) broken.push(`${file}: ${target}`);
      else if (anchor && full.endsWith('.md') && !anchors(readFileSync(full, 'utf8')).has(anchor)) broken.push(`${file}: ${target} (no such heading)`);
    }
  }
  expect(broken).toEqual([]);
});
