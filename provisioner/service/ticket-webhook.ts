import type { Db } from '../db.ts';
import type { Clock } from './clock.ts';
import type { Logger } from '../logging.ts';
import { migrateService } from './store.ts';

export interface TicketWebhookOptions {
  url: string;
  /** Sent as the Authorization header; never logged. */
  authorization?: string;
  timeoutMs?: number;
  /** First retry delay; doubles per failed attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** After this many failed attempts the row is marked failed and left for a human. */
  maxAttempts?: number;
}

interface OutboxRow {
  id: number;
  ref: string;
  body: string;
  attempts: number;
}

/**
 * Delivers stored actions to a ticket system from the svc_outbox table. The
 * outbox is the queue, so a host restart resumes where it stopped; delivery is
 * at least once, and the ref in each body lets the receiver drop repeats.
 */
export class TicketWebhook {
  private timer: unknown = null;
  private running = false;
  private stopped = false;
  private readonly due;
  private readonly nextDue;
  private readonly delivered;
  private readonly failed;

  constructor(
    db: Db,
    private readonly options: TicketWebhookOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    migrateService(db);
    this.due = db.prepare('SELECT id, ref, body, attempts FROM svc_outbox WHERE delivered_ms = 0 AND gave_up = 0 AND next_ms <= ? ORDER BY id LIMIT 20');
    this.nextDue = db.prepare('SELECT MIN(next_ms) AS next FROM svc_outbox WHERE delivered_ms = 0 AND gave_up = 0');
    this.delivered = db.prepare('UPDATE svc_outbox SET delivered_ms = ?, attempts = attempts + 1 WHERE id = ?');
    this.failed = db.prepare('UPDATE svc_outbox SET attempts = ?, next_ms = ?, last_error = ?, gave_up = ? WHERE id = ?');
  }

  /** Looks for due rows now (after a new action, or at start). */
  kick(): void {
    if (this.stopped) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    void this.drain();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const rows = this.due.all(this.clock.now()) as OutboxRow[];
        if (rows.length === 0 || this.stopped) break;
        for (const row of rows) await this.deliver(row);
      }
    } finally {
      this.running = false;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const { next } = this.nextDue.get() as { next: number | null };
    if (next === null) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, Math.max(0, next - this.clock.now()));
  }

  private async deliver(row: OutboxRow): Promise<void> {
    let problem = '';
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.authorization ? { authorization: this.options.authorization } : {}) },
        body: row.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
      await response.body?.cancel();
      if (response.ok) {
        this.delivered.run(this.clock.now(), row.id);
        return;
      }
      problem = `HTTP ${response.status}`;
    } catch (err) {
      problem = (err as Error).message;
    }
    const attempts = row.attempts + 1;
    const giveUp = attempts >= (this.options.maxAttempts ?? 12);
    const delay = Math.min((this.options.baseDelayMs ?? 1000) * 2 ** (attempts - 1), this.options.maxDelayMs ?? 300_000);
    this.failed.run(attempts, this.clock.now() + delay, problem, giveUp ? 1 : 0, row.id);
    if (giveUp) this.logger.error({ ref: row.ref, attempts, problem }, 'ticket webhook: giving up on delivery');
    else this.logger.warn({ ref: row.ref, attempts, problem, retryInMs: delay }, 'ticket webhook: delivery failed, will retry');
  }
}
