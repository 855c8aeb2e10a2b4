// Each fixture in test/fixtures/gate holds one construct the interpreter
// lacks and names the expected message on its first line (`//! message`);
// accepted.js holds constructs measured to work and must pass untouched.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gate } from '../hardware/espruino-gate.ts';

const dir = join(import.meta.dirname, 'fixtures', 'gate');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.js'));

function expected(code: string): string {
  const first = code.split('\n')[0];
  if (!first.startsWith('//! ')) throw new Error('fixture lacks a //! expected-message line');
  return first.slice(4).trim();
}

describe('gate fixtures', () => {
  it('has a fixture for every construct the brief names', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(45);
  });

  for (const file of fixtures) {
    it(file, () => {
      const code = readFileSync(join(dir, file), 'utf8');
      const want = expected(code);
      const problems = gate(code);
      if (want === 'accepted') {
        expect(problems).toEqual([]);
        return;
      }
      expect(problems.map((p) => p.message)).toContainEqual(expect.stringContaining(want));
      // The problem points at the offending line, not at the comment.
      expect(problems.every((p) => p.line >= 2)).toBe(true);
    });
  }

  it('reports unparsable code as a problem instead of throwing', () => {
    const problems = gate('var = ;');
    expect(problems).toHaveLength(1);
    expect(problems[0].rule).toBe('parse');
  });

  it('lets a function declared before use, and uses inside later-run functions, through', () => {
    expect(gate('function a(){return b()} function b(){return 1} a();')).toEqual([]);
  });

  it('does not mistake a shadowing local for the missing global', () => {
    expect(gate('function f(Map){return Map} var o={Set:1}; o.Set;')).toEqual([]);
  });
});
