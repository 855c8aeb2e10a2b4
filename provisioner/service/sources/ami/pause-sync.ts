import type { Logger } from '../../../logging.ts';
import { AmiActionError, type AmiClient } from './client.ts';

/** A queue member's pause as Asterisk reports it. */
export interface PauseState {
  paused: boolean;
  reason: string;
}

/** What the desk needs from Asterisk; a null reason means any pause will do. */
export interface PauseWant {
  paused: boolean;
  reason: string | null;
}

/** The reason a desk's own pause is sent with when Asterisk has none yet. */
export const DESK_PAUSE_REASON = 'Pause';

interface Member {
  known?: PauseState;
  want?: PauseWant;
  sending: boolean;
  retryMs: number;
  timer?: NodeJS.Timeout;
}

export function satisfies(state: PauseState | undefined, want: PauseWant): boolean {
  return state !== undefined && state.paused === want.paused && (!want.paused || want.reason === null || state.reason === want.reason);
}

/**
 * Keeps each member's pause in Asterisk where the desk needs it, with
 * `QueuePause` actions (no Queue header: all the member's queues). Only the
 * newest wish per member counts; a failed action (member unknown, Asterisk
 * down) is logged and retried with doubling delays, and after a new login
 * everything outstanding goes out again. Nobody waits for it: the desk's
 * phase has already changed when this starts.
 */
export class PauseSync {
  private readonly members = new Map<string, Member>();
  private readonly interfaces = new Map<string, string>();
  /** Actions sent, in order, for the closing summary and the tests. */
  readonly sent: { station: string; iface: string; paused: boolean; reason: string; ok: boolean }[] = [];

  constructor(
    private readonly client: AmiClient,
    private readonly logger: Logger,
    private readonly fallbackInterface: (station: string) => string | undefined,
    private readonly retryMinMs = 1000,
    private readonly retryMaxMs = 60_000,
  ) {}

  private member(station: string): Member {
    let m = this.members.get(station);
    if (!m) this.members.set(station, (m = { sending: false, retryMs: this.retryMinMs }));
    return m;
  }

  /** Asterisk named the member's interface (events, QueueStatus): QueuePause goes there from now on. */
  learnInterface(station: string, iface: string): void {
    if (iface) this.interfaces.set(station, iface);
  }

  /**
   * Asterisk reports a pause state. Returns 'ours' when it is what this
   * sync asked for (the echo of its own action), 'same' when nothing
   * changed (one event per queue), else 'news'.
   */
  observe(station: string, state: PauseState): 'ours' | 'same' | 'news' {
    const m = this.member(station);
    const before = m.known;
    m.known = state;
    if (m.want && satisfies(state, m.want)) return 'ours';
    if (before && before.paused === state.paused && before.reason === state.reason) return 'same';
    return 'news';
  }

  known(station: string): PauseState | undefined {
    return this.members.get(station)?.known;
  }

  pending(station: string): boolean {
    return this.members.get(station)?.want !== undefined;
  }

  want(station: string, want: PauseWant): void {
    const m = this.member(station);
    m.want = want;
    m.retryMs = this.retryMinMs;
    // With an action under way, Asterisk's state is about to change: decide when its answer is in.
    if (!m.sending && satisfies(m.known, want)) m.want = undefined;
    else this.send(station);
  }

  /** After a login: everything still outstanding goes out again. */
  flush(): void {
    for (const [station, m] of this.members) if (m.want) this.send(station);
  }

  stop(): void {
    for (const m of this.members.values()) clearTimeout(m.timer);
  }

  private send(station: string): void {
    const m = this.member(station);
    clearTimeout(m.timer);
    m.timer = undefined;
    const want = m.want;
    if (!want || m.sending || !this.client.ready) return;
    const iface = this.interfaces.get(station) ?? this.fallbackInterface(station);
    if (!iface) {
      this.logger.warn({ station }, 'QueuePause: the queue member of this station is not known yet; the map names no interface for it');
      return this.retry(station);
    }
    const reason = want.paused ? (want.reason ?? DESK_PAUSE_REASON) : '';
    m.sending = true;
    this.client
      .action('QueuePause', [['Interface', iface], ['Paused', want.paused ? 'true' : 'false'], ...(reason ? ([['Reason', reason]] as [string, string][]) : [])])
      .then(
        () => {
          this.sent.push({ station, iface, paused: want.paused, reason, ok: true });
          m.known = { paused: want.paused, reason };
          m.retryMs = this.retryMinMs;
          this.logger.info({ station, interface: iface, paused: want.paused, reason }, 'QueuePause done');
        },
        (err: Error) => {
          this.sent.push({ station, iface, paused: want.paused, reason, ok: false });
          const why = err instanceof AmiActionError ? `Asterisk answered: ${err.message}` : err.message;
          this.logger.warn({ station, interface: iface, paused: want.paused, problem: why, retryInMs: m.retryMs }, 'QueuePause failed; retrying');
          this.retry(station);
        },
      )
      .finally(() => {
        m.sending = false;
        if (m.want && satisfies(m.known, m.want)) m.want = undefined;
        else if (m.want !== want) this.send(station);
      });
  }

  private retry(station: string): void {
    const m = this.member(station);
    const wait = m.retryMs;
    m.retryMs = Math.min(m.retryMs * 2, this.retryMaxMs);
    m.timer = setTimeout(() => this.send(station), wait);
  }
}
