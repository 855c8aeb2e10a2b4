// Runs once before all test files: builds every board's bundle so each test
// (simulator, golden screens, flashing) sees the bytes that get flashed.
// A gate or budget failure fails the whole run, as it fails `npm run build`.
import { buildAll } from '../../firmware/build.ts';

export default async function setup(): Promise<void> {
  await buildAll({ quiet: true });
}
