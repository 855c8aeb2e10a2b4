// Credentials taken back while the broker runs (`station remove`,
// `station rotate-secret`, perhaps in another process): the sessions that
// used them are closed, and a removed station leaves nothing behind.
import type { Aedes, Client } from 'aedes';
import type { ClassicLevel } from 'classic-level';
import type { Logger } from 'pino';
import { downTopic, upTopic } from '../../protocol/topics.ts';
import type { Registry, RegistryChange } from '../registry/index.ts';
import type { BrokerAuth } from './auth.ts';
import { dropQueuedMessages } from './session-store.ts';

export interface RevocationOptions {
  registry: Registry;
  aedes: Aedes;
  persistence: { cleanSubscriptions(client: { id: string }): Promise<unknown> };
  store: ClassicLevel<string, unknown>;
  auth: BrokerAuth;
  log: Logger;
}

export function liveClients(aedes: Aedes): Client[] {
  return Object.values((aedes as unknown as { clients: Record<string, Client> }).clients);
}

export class Revocation {
  /** Removed stations whose stored session is still being cleared. */
  private readonly cleanups = new Map<string, Promise<void>>();
  private stopWatching: (() => void) | null = null;

  /** A CONNECT with this id waits for its clean-up, so a later station with a removed one's id starts empty. */
  pending(id: string): Promise<void> | undefined {
    return this.cleanups.get(id);
  }

  watch(options: RevocationOptions): void {
    this.stopWatching = options.registry.onChange((change) => this.revoked(options, change));
  }

  stop(): void {
    this.stopWatching?.();
    this.stopWatching = null;
  }

  private revoked(options: RevocationOptions, change: RegistryChange): void {
    if (change.kind !== 'removed' && change.kind !== 'secret') return;
    const { auth, registry, log } = options;
    const closeSession = (client: Client) => {
      log.info({ clientId: client.id, change: change.kind }, 'credentials changed, closing session');
      client.close();
    };
    for (const client of liveClients(options.aedes)) {
      if (auth.accountOf(client)?.username !== change.id) continue;
      if (change.kind === 'removed') {
        closeSession(client);
        continue;
      }
      // A device flashed with the new secret may have logged in before this
      // broker noticed the rotation (another process changed the registry):
      // only sessions that logged in with a secret no longer valid are closed.
      registry.authenticate(change.id, auth.secretOf(client)).then(
        (account) => account || closeSession(client),
        () => closeSession(client),
      );
    }
    if (change.kind === 'removed') this.forgetStation(options, change.id);
  }

  /** A removed station leaves no session, no queued messages and no retained state for a later station with its id. */
  private forgetStation({ aedes, persistence, store, log }: RevocationOptions, id: string): void {
    const clearRetained = [downTopic(id, 'snap'), upTopic(id, 'presence')].map(
      (topic) => new Promise<void>((resolve) => aedes.publish({ cmd: 'publish', topic, payload: Buffer.alloc(0), qos: 0, retain: true, dup: false }, () => resolve())),
    );
    const dropSession = persistence.cleanSubscriptions({ id }).then(() => dropQueuedMessages(store, id));
    const cleanup = Promise.all([...clearRetained, dropSession])
      .then(
        () => {},
        (err: Error) => log.warn({ station: id, err: err.message }, 'could not drop the session of a removed station'),
      )
      .finally(() => this.cleanups.get(id) === cleanup && this.cleanups.delete(id));
    this.cleanups.set(id, cleanup);
  }
}
