import { readFileSync } from 'node:fs';
import type { Context } from '../context.ts';
import { UserError } from '../../lib/user-error.ts';
import { serviceFromArgs, type ServiceArgs } from './cli-options.ts';
import type { StationService } from './service.ts';
import { serviceDeskView } from './sources/desk-view.ts';
import type { EventSource } from './sources/source.ts';

function hostVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Runs the station service with the given event sources until `until`
 * resolves (Ctrl-C, or a finite source finishing), then stops everything in
 * reverse order. Returns what `report` returns.
 */
export async function runService<T>(
  args: ServiceArgs,
  ctx: Context,
  sources: EventSource[],
  until: (service: StationService) => Promise<T>,
): Promise<T> {
  const { service, close } = await serviceFromArgs(args, ctx, hostVersion());
  try {
    try {
      await service.start();
    } catch (err) {
      throw new UserError(`cannot connect to the broker at ${args.broker}: ${(err as Error).message}`, 'check --broker, --user and --password-file, and that the broker runs');
    }
    const started: EventSource[] = [];
    try {
      for (const source of sources) {
        await source.start((raw) => service.ingest(raw), serviceDeskView(service));
        started.push(source);
      }
      return await until(service);
    } finally {
      for (const source of started.reverse()) await source.stop();
      await service.stop();
    }
  } finally {
    close();
  }
}
