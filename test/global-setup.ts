// Runs once before all test files: builds every board's bundle so each test
// (simulator, golden screens, flashing) sees the bytes that get flashed.
// A gate or budget failure fails the whole run, as it fails `npm run build`.
import { existsSync } from 'node:fs';
import { buildAll, DEFAULT_ENTRY } from '../firmware/build.ts';

export default async function setup(): Promise<void> {
  // Until the app's entry exists there is nothing to build; tests that need
  // a bundle build their own from test/fixtures/gate/entry.
  if (!existsSync(DEFAULT_ENTRY)) return;
  await buildAll({ quiet: true });
}
