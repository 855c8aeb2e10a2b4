// Runs once before all test files: builds every board's bundle so each test
// (simulator, golden screens, flashing) sees the bytes that get flashed, and
// the compiled CLI, so every `deskphone` a test starts runs what users run.
// A gate or budget failure fails the whole run, as it fails `npm run build`.
import { execFileSync } from 'node:child_process';
import { buildAll } from '../../firmware/build.ts';

export default async function setup(): Promise<void> {
  await buildAll({ quiet: true });
  execFileSync(process.execPath, ['bin/build-cli.js'], { stdio: 'inherit' });
}
