// Who may connect, subscribe and publish: aedes' hooks, answered from the
// station registry. A station logs in with its id and secret and stays within
// its own topics at a bounded publish rate; guesses back off (login-budget.ts).
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { HOST_PRESENCE, parseStationTopic } from '../../protocol/topics.ts';
import { SERVICE_ACCOUNTS, type Account, type Registry } from '../registry/index.ts';
import { publishProblem, subscribeProblem, willProblem } from './acl.ts';
import { LoginBudget, type LoginBudgetOptions } from './login-budget.ts';
import { TokenBucket } from './token-bucket.ts';

type Hooks = Required<Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizeSubscribe' | 'authorizePublish'>>;

/**
 * aedes numbers a packet when it arrives but emits a retained or QoS 1 one
 * only after its asynchronous store steps, and packets of one TCP read are
 * handled concurrently; its per-client duplicate filter ("drop what is not
 * newer than the last packet delivered") then drops the earlier packet when a
 * later one overtook it. Seen: a device's retained birth followed in the same
 * write by its sync request never reached dp/v1/st/+/up/+; the same would
 * drop a station's retained snapshot overtaken by its action ack. The filter
 * only exists to suppress the second copy for a client whose own filters
 * overlap, which MQTT 3.1.1 allows to be delivered and every receiver here
 * takes idempotently, so it is switched off for every client.
 */
const NO_DUPLICATE_FILTER = new Proxy(Object.create(null) as object, {
  get: () => 0,
  set: () => true,
  deleteProperty: () => true,
});

/**
 * A station connects with its id as client id; a service account as itself
 * or `<account>-<component>` (e.g. svc-host-presence), so several host
 * components can share one account without taking over each other's session.
 */
function clientIdAllowed(username: string, clientId: string): boolean {
  if (!Object.hasOwn(SERVICE_ACCOUNTS, username)) return clientId === username;
  return clientId === username || clientId.startsWith(username + '-');
}

function authError(returnCode: AuthenticateError['returnCode'], message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

export interface BrokerAuthOptions {
  registry: Registry;
  log: Logger;
  /** Publishes per second a station may send, and the burst above that. */
  rate: { perSecond: number; burst: number };
  loginBudget?: Partial<LoginBudgetOptions>;
  /** Where a connection comes from, by the stream aedes sees (listeners.ts). */
  sourceOf: (conn: Duplex) => string | undefined;
  /** A removed station's clean-up still under way: its id's CONNECT waits for it (revocation.ts). */
  pendingCleanup: (id: string) => Promise<void> | undefined;
}

export class BrokerAuth {
  private readonly accounts = new WeakMap<Client, Account>();
  private readonly buckets = new WeakMap<Client, TokenBucket>();
  // held only for the life of a session, to tell an old secret from a rotated one
  private readonly sessionSecrets = new WeakMap<Client, string>();
  private readonly wills = new WeakMap<Client, { topic: string; retain: boolean } | undefined>();
  private readonly logins: LoginBudget;
  /** The source each username last logged in from: its desk is not held up by guesses at its name from elsewhere. */
  private readonly lastGoodSource = new Map<string, string>();

  constructor(private readonly options: BrokerAuthOptions) {
    this.logins = new LoginBudget(options.loginBudget);
  }

  accountOf(client: Client): Account | undefined {
    return this.accounts.get(client);
  }

  /** The secret a station's session logged in with. */
  secretOf(client: Client): string {
    return this.sessionSecrets.get(client) ?? '';
  }

  hooks(): Hooks {
    return {
      preConnect: (client, packet, done) => {
        (client as unknown as { duplicates: object }).duplicates = NO_DUPLICATE_FILTER;
        this.wills.set(client, packet.will ? { topic: packet.will.topic, retain: packet.will.retain ?? false } : undefined);
        done(null, true);
      },
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizeSubscribe: (client, sub, done) => {
        const account = this.accounts.get(client);
        const problem = account ? subscribeProblem(account, sub.topic) : 'not authenticated';
        if (problem) {
          this.options.log.warn({ clientId: client.id, topic: sub.topic, reason: problem }, 'subscribe refused');
          return done(null, null);
        }
        done(null, sub);
      },
      authorizePublish: (client, packet, done) => {
        if (!client) {
          // a will left by a client of an earlier broker run, published on its behalf
          const parsed = parseStationTopic(packet.topic);
          const isPresence = packet.topic === HOST_PRESENCE || (parsed?.dir === 'up' && parsed.kind === 'presence');
          return done(isPresence ? null : new Error('stored will outside presence topics'));
        }
        const account = this.accounts.get(client);
        const problem = account ? publishProblem(account, packet.topic, packet.retain) : 'not authenticated';
        if (problem) {
          // MQTT 3.1.1 [MQTT-3.3.5-2] leaves ack-and-drop or disconnect; disconnecting makes a misbehaving device visible
          this.options.log.warn({ clientId: client.id, topic: packet.topic, retain: packet.retain, reason: problem }, 'publish refused, disconnecting');
          return done(new Error(problem));
        }
        const bucket = this.buckets.get(client);
        if (bucket && !bucket.take()) {
          this.options.log.warn({ clientId: client.id, limit: this.options.rate }, 'publish rate exceeded, disconnecting');
          return done(new Error('publish rate exceeded'));
        }
        done(null);
      },
    };
  }

  private authenticate(client: Client, username: Readonly<string | undefined>, password: Readonly<Buffer | undefined>, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    const { log, registry, rate } = this.options;
    const logins = this.logins;
    const source = this.options.sourceOf(client.conn as unknown as Duplex) ?? 'unknown';
    const refuse = (code: AuthenticateError['returnCode'], reason: string) => {
      log.warn({ clientId: client.id, username, source, reason }, 'connection refused');
      done(authError(code, reason), false);
    };
    if (!username || !password) return refuse(5, 'no username or password');
    // checked before the secret: the rule is public, a mismatch needs no look-up
    if (!clientIdAllowed(username, client.id)) return refuse(2, `client id "${client.id}" does not match username "${username}"`);
    const sourceKey = 'source ' + source;
    const userKey = 'username ' + username;
    const wait = Math.max(logins.wait(sourceKey), this.lastGoodSource.get(username) === source ? 0 : logins.wait(userKey));
    if (wait > 0) {
      // Not checked, not logged (the burst was logged when it began), and answered late.
      log.debug({ clientId: client.id, username, source, waitMs: wait }, 'connection refused: backing off after failed logins');
      setTimeout(() => done(authError(5, 'too many failed logins; try again later'), false), logins.refusalDelayMs).unref();
      return;
    }
    logins.begin(sourceKey);
    logins.begin(userKey);
    Promise.resolve(this.options.pendingCleanup(client.id))
      .then(() => registry.authenticate(username, password.toString('utf8')))
      .then((account) => {
        if (!account) {
          const bySource = logins.fail(sourceKey);
          const byUser = logins.fail(userKey);
          if (bySource === 'burst') log.warn({ source, username, backoffMs: logins.wait(sourceKey) }, 'failed logins from one source: backing off (its logins are refused unchecked, for longer with each failure; not logged again until quiet for 10 min)');
          if (byUser === 'burst') log.warn({ username, source, backoffMs: logins.wait(userKey) }, 'failed logins for one username: backing off (except from where it last logged in; not logged again until quiet for 10 min)');
          if (bySource !== 'free' || byUser !== 'free') {
            log.debug({ clientId: client.id, username, source }, 'connection refused: bad username or password');
            return done(authError(4, 'bad username or password'), false);
          }
          return refuse(4, 'bad username or password');
        }
        logins.finish(sourceKey, false);
        logins.finish(userKey, true);
        this.lastGoodSource.set(username, source);
        const will = this.wills.get(client);
        const willRefusal = will ? willProblem(account, will) : '';
        if (willRefusal) return refuse(5, willRefusal);
        this.accounts.set(client, account);
        if (account.role === 'station') {
          this.buckets.set(client, new TokenBucket(rate.perSecond, rate.burst));
          this.sessionSecrets.set(client, password.toString('utf8'));
        }
        done(null, true);
      })
      .catch((err: Error) => {
        log.error({ clientId: client.id, err: err.message }, 'authentication failed');
        logins.finish(sourceKey, false);
        logins.finish(userKey, false);
        done(authError(3, 'registry unavailable'), false);
      });
  }
}
