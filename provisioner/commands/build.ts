import { buildAll, formatBuild } from '../../firmware/build.ts';
import { defineCommand } from './command.ts';

interface BuildArgs {
  board?: string[];
}

export const buildCommand = defineCommand<BuildArgs>({
  command: 'build',
  describe: 'Build firmware/dist/<board>.js for every board profile: bundle, Espruino gate, size against budget',
  builder: (y) => y.option('board', { type: 'string', array: true, describe: 'Only these boards (default: all in hardware/boards)' }),
  handler: async (args, ctx) => {
    const results = await buildAll({ boards: args.board, quiet: true });
    if (args.json) {
      ctx.output.out(JSON.stringify(results.map((r) => ({ board: r.board, file: r.file, bytes: r.bytes, budget: r.budget, storage: r.storage }))));
      return;
    }
    for (const r of results) ctx.output.out(formatBuild(r));
  },
});
