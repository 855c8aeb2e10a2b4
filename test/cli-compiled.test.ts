// `deskphone` runs compiled JavaScript (dist/cli.js, built at npm install and
// by the test set-up), not TypeScript through a run-time loader; the bundle
// keeps every module's own location for the files it reads, and is current.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { expect, it } from 'vitest';

it('the compiled CLI is current, reads files next to its sources, and is what bin/deskphone.js runs', () => {
  const bundle = readFileSync('dist/cli.js', 'utf8');
  // the banner defines import.meta.url once; no module uses it directly any more
  expect(bundle.match(/import\.meta\.(url|dirname)/g)).toEqual(['import.meta.url']);
  const built = statSync('dist/cli.js').mtimeMs;
  const inputs = JSON.parse(readFileSync('dist/cli.inputs.json', 'utf8')) as string[];
  expect(inputs).toContain('provisioner/cli.ts');
  expect(inputs.filter((f) => statSync(f).mtimeMs > built)).toEqual([]);
  // so bin/deskphone.js runs it, and it finds the .proto next to its source
  expect(execFileSync(process.execPath, ['bin/deskphone.js', 'proto', 'decode', '--type', 'Presence', '--hex', '0801'], { encoding: 'utf8' })).toMatch(/online/);
});
