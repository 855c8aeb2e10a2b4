#!/usr/bin/env node
// Compiles the CLI and host (provisioner/cli.ts and what it imports) into one
// JavaScript file, dist/cli.js, so `deskphone` starts without compiling
// TypeScript at run time (`npm install` runs this as the prepare step).
// Modules find their files (board profiles, the .proto, the dashboard's
// pages) relative to themselves, so every import.meta.url and dirname in the
// bundle still names the module's own source file. dist/cli.inputs.json lists
// the sources; bin/deskphone.js uses the bundle only while none is newer.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(root, 'dist');

const ownLocation = {
  name: 'own-location',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const rel = JSON.stringify(relative(outdir, args.path));
      const source = (await readFile(args.path, 'utf8'))
        .replaceAll('import.meta.url', `__deskphoneUrl(${rel})`)
        .replaceAll('import.meta.dirname', `__deskphoneDirname(${rel})`);
      return { contents: source, loader: 'ts' };
    });
  },
};

const result = await build({
  entryPoints: [resolve(root, 'provisioner/cli.ts')],
  outfile: resolve(outdir, 'cli.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  metafile: true,
  logLevel: 'warning',
  plugins: [ownLocation],
  absWorkingDir: root,
  banner: {
    js: [
      "import { fileURLToPath as __deskphoneFileUrlToPath } from 'node:url';",
      "import { dirname as __deskphoneParent } from 'node:path';",
      'const __deskphoneUrl = (rel) => new URL(rel, import.meta.url).href;',
      'const __deskphoneDirname = (rel) => __deskphoneParent(__deskphoneFileUrlToPath(__deskphoneUrl(rel)));',
    ].join('\n'),
  },
});
writeFileSync(resolve(outdir, 'cli.inputs.json'), JSON.stringify(Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'))) + '\n');
