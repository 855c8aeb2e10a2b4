// Failed logins and the backoff they earn, per source address and per
// username. The secrets are 192-bit random values, so guessing is hopeless;
// what a guesser does get is the host's CPU (every check is a slow hash) and
// the log. A key (a source, a username) has a few failures free; beyond
// them, its logins are refused without being checked for a while that
// doubles with every further failure. Independent of how secrets are checked.
import { isIPv4 } from 'node:net';

export interface LoginBudgetOptions {
  /** Failures a key has before it backs off. */
  free: number;
  /** The first backoff; it doubles with each further failure, up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** A key without a failure for this long is forgotten: its burst is over. */
  forgetMs: number;
  /** Keys kept at most; the least recently failed go first (a flood of made-up usernames cannot fill memory). */
  maxKeys: number;
  /** How long a login refused while backing off waits for its answer: a guesser's loop runs at its pace, not the network's. */
  refusalDelayMs: number;
  now: () => number;
}

export const LOGIN_BUDGET_DEFAULTS: LoginBudgetOptions = { free: 10, baseMs: 1000, maxMs: 60_000, forgetMs: 10 * 60_000, maxKeys: 100_000, refusalDelayMs: 1000, now: Date.now };

interface Entry {
  failures: number;
  lastFailure: number;
  blockedUntil: number;
  /** Checks of this key under way. */
  running: number;
}

export class LoginBudget {
  private readonly entries = new Map<string, Entry>();
  private readonly options: LoginBudgetOptions;

  constructor(options: Partial<LoginBudgetOptions> = {}) {
    this.options = { ...LOGIN_BUDGET_DEFAULTS, ...options };
  }

  get refusalDelayMs(): number {
    return this.options.refusalDelayMs;
  }

  /**
   * How long `key` must still wait before a login of it is checked; 0 if it
   * may be checked now. A key that failed before is checked one login at a
   * time, so guesses sent in parallel cannot all slip in when a backoff ends.
   */
  wait(key: string): number {
    const entry = this.current(key);
    if (!entry) return 0;
    return Math.max(entry.running > 0 && entry.failures > 0 ? 1 : 0, entry.blockedUntil - this.options.now());
  }

  /** A login of `key` is being checked; end it with fail() or finish(). */
  begin(key: string): void {
    const entry = this.current(key);
    if (entry) entry.running++;
  }

  /**
   * The check ended without a wrong secret (it passed, or the registry
   * failed). The key's failures stay unless `forgetFailures`: a guesser
   * holding one good secret must not wipe its address's record with it.
   */
  finish(key: string, forgetFailures: boolean): void {
    const entry = this.current(key);
    if (entry) entry.running = Math.max(0, entry.running - 1);
    if (forgetFailures) this.entries.delete(key);
  }

  /**
   * The check failed. Returns 'burst' for the failure that starts the key's
   * backoff (the one to log), 'quiet' for failures after that (part of the
   * same burst), and 'free' within the budget.
   */
  fail(key: string): 'free' | 'burst' | 'quiet' {
    const now = this.options.now();
    const entry = this.current(key) ?? { failures: 0, lastFailure: now, blockedUntil: 0, running: 1 };
    entry.running = Math.max(0, entry.running - 1);
    entry.failures++;
    entry.lastFailure = now;
    const over = entry.failures - this.options.free;
    if (over > 0) entry.blockedUntil = now + Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(over - 1, 30));
    // Re-inserted so the map's order is the order of last failure, oldest first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.options.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    return over <= 0 ? 'free' : over === 1 ? 'burst' : 'quiet';
  }

  private current(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && this.options.now() - entry.lastFailure > this.options.forgetMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

/**
 * The source a login counts against: an IPv4 address (also when the socket
 * shows it IPv4-mapped), or an IPv6 address's /64, since one host usually
 * holds a whole /64 and could use a fresh address for every guess.
 */
export function loginSource(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (isIPv4(address)) return address;
  const bare = address.split('%')[0].toLowerCase();
  const [head, tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => parseInt(g || '0', 16).toString(16)).join(':') + '::/64';
}
