#!/usr/bin/env node
// The only place that exits: cli() returns an exit code and results.
// Runs the compiled CLI (dist/cli.js, from bin/build-cli.js at npm install)
// while no source it was built from is newer; else the TypeScript sources
// through tsx, as in a checkout being edited.
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const bundle = new URL('dist/cli.js', root);

function bundleIsCurrent() {
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(new URL('dist/cli.inputs.json', root), 'utf8'));
    return inputs.every((file) => statSync(new URL(file, root)).mtimeMs <= built);
  } catch {
    return false;
  }
}

let main;
if (bundleIsCurrent()) {
  ({ main } = await import(bundle.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../provisioner/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
