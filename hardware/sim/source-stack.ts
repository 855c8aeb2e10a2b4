// Stacks of uncaught errors in the bundle, pointed back at firmware/src.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

export class BundleStacks {
  private sourceMap: SourceMap | null | undefined;

  constructor(
    private readonly bundlePath: string,
    private readonly bundleName: string,
    /** The bundle the simulator runs now (Storage's boot file). */
    private readonly running: () => Buffer | undefined,
  ) {}

  /**
   * The stack's call sites only (V8 would also quote the one-line bundle),
   * each bundle position followed by its firmware/src position when the
   * build's source map is beside the bundle.
   */
  of(stack: string): string {
    const map = this.map();
    const at = new RegExp(this.bundleName.replace(/[.]/g, '\\.') + ':(\\d+):(\\d+)');
    return stack
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .slice(0, 12)
      .map((line) => {
        const where = at.exec(line);
        if (!where || !map) return line;
        const entry = map.findEntry(Number(where[1]) - 1, Number(where[2]) - 1) as { originalSource?: string; originalLine?: number };
        if (!entry?.originalSource) return line;
        const source = relative(REPO_ROOT, resolve(dirname(this.bundlePath), entry.originalSource));
        return `${line} [${source}:${(entry.originalLine ?? 0) + 1}]`;
      })
      .join('\n');
  }

  /** The build's source map, if it belongs to the bundle that runs. */
  private map(): SourceMap | null {
    if (this.sourceMap === undefined) {
      const mapFile = this.bundlePath + '.map';
      const running = this.running();
      const same = existsSync(mapFile) && existsSync(this.bundlePath) && !!running && readFileSync(this.bundlePath).equals(running);
      this.sourceMap = same ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null;
    }
    return this.sourceMap;
  }
}
