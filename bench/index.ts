// `npm run bench`: runs every benchmark module (or the ones named on the
// command line, e.g. `npm run bench -- codec broker`) and prints their numbers.
// Benchmarks measure; they never fail on a number.
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => basename(f, '.ts'))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

for (const name of modules) {
  console.log(`\n## ${name}`);
  const started = Date.now();
  const mod = (await import(pathToFileURL(here + name + '.ts').href)) as { run: () => Promise<void> };
  await mod.run();
  console.log(`(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
