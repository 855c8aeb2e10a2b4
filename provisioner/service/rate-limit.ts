import type { Clock } from './clock.ts';

/**
 * At most `limit` hits per key in any window of `windowMs` (a sliding log, so
 * a burst at a window edge cannot double the rate). Per station, it stops a
 * desk from walking through the account space.
 */
export class RateLimiter {
  private hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Records a hit and says whether it is within the limit; refused hits still count. */
  allow(key: string): boolean {
    const now = this.clock.now();
    const log = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    log.push(now);
    // Keep at most limit+1 entries: enough to know the key is over, bounded memory.
    this.hits.set(key, log.length > this.limit + 1 ? log.slice(-this.limit - 1) : log);
    return log.length <= this.limit;
  }
}
