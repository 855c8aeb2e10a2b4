import { readFileSync } from 'node:fs';

/** The version in package.json: the firmware a build stamps into its bundles and the host reports are one. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
