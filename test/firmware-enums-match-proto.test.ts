// The firmware keeps its own `const enum`s because the bundle then carries bare
// numbers; importing the generated `as const` objects instead costs about
// 420 bytes per board. This pins each firmware enum to the proto enum it
// mirrors, so the two cannot drift apart.
import { describe, expect, it } from 'vitest';
import * as core from '../firmware/src/core/state.ts';
import { AccountSource, ActionKind, Phase } from '../protocol/device/tables.generated.ts';

/** Name -> value of an enum as it exists at run time (outside the bundle a const enum is a plain enum object). */
function members(enumObject: unknown): Record<string, number> {
  const entries = Object.entries(enumObject as Record<string, unknown>).filter(([name]) => Number.isNaN(Number(name)));
  return Object.fromEntries(entries) as Record<string, number>;
}

/** The proto enum without its zero "unspecified" member, which the device never names. */
function specified(protoEnum: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(protoEnum).filter(([, value]) => value !== 0));
}

const runtime = core as unknown as Record<string, unknown>;

describe('firmware enums match the proto', () => {
  it.each([
    ['Phase', Phase],
    ['Kind', ActionKind],
    ['Src', AccountSource],
  ] as const)('firmware %s has the same names and numbers as the proto enum', (name, protoEnum) => {
    expect(members(runtime[name])).toEqual(specified(protoEnum));
  });
});
