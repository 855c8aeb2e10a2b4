// Calls transferred from one mapped desk to another, followed until they
// end there: Asterisk names the new desk's part only in DialEnd and Hangup.
import type { Logger } from '../../../logging.ts';
import type { Desk } from '../../calls.ts';
import type { IngestResult } from '../../service.ts';
import type { Target } from './member-map.ts';
import type { AmiMessage } from './protocol.ts';

export type AmiCallEvent = Record<string, unknown> & { type: string; station: string };

export interface TransfersOptions {
  logger: Logger;
  /** Hands a call event to the service (AmiSource.deliver): its result, or null when refused. */
  deliver(event: AmiCallEvent, from: string): Promise<IngestResult | null>;
  stationOfChannel(channel: string): string | undefined;
}

/** A call transferred to another mapped station, followed until it ends there. */
interface Transferred {
  station: string;
  callerChannel: string;
  answered: boolean;
}

export class Transfers {
  private readonly calls = new Map<string, Transferred>();

  constructor(private readonly options: TransfersOptions) {}

  /** After a login the live calls are read afresh: nothing is followed any more. */
  clear(): void {
    this.calls.clear();
  }

  /** BlindTransfer / AttendedTransfer that succeeded: the call leaves `transfererChannel`'s desk for `target`. */
  async transferred(m: AmiMessage, transfererChannel: string, target: Target | undefined, answered: boolean): Promise<void> {
    const station = this.options.stationOfChannel(transfererChannel);
    if (!station) return;
    const callId = m.get('TransfereeLinkedid');
    if (!target) {
      // Handed on to someone without a desk (an outside number, an unmapped phone): the call is over for this agent.
      this.options.logger.info({ ami: m.event, station, callId }, 'call transferred to a target the map does not name: ends as hung up by the agent');
      await this.options.deliver({ type: 'hangup', station, callId, by: 'agent' }, m.event);
      return;
    }
    if ('desk' in target) {
      await this.options.deliver({ type: 'transferred', station, callId, toDesk: target.desk as Desk }, m.event);
      return;
    }
    const done = await this.options.deliver({ type: 'transferred', station, callId, toStation: target.station }, m.event);
    if (!done) return;
    this.calls.set(callId, { station: target.station, callerChannel: m.get('TransfereeChannel'), answered });
    // An attended transfer hands the caller to someone already on the line.
    if (answered) await this.options.deliver({ type: 'answered', station: target.station, callId }, m.event);
  }

  /** DialEnd: the target's phone answered, or stopped ringing. */
  async dialEnd(m: AmiMessage): Promise<void> {
    const callId = m.get('DestLinkedid') || m.get('Linkedid');
    const t = this.calls.get(callId);
    if (!t || t.answered || this.options.stationOfChannel(m.get('DestChannel')) !== t.station) return;
    const status = m.get('DialStatus');
    if (status === 'ANSWER') {
      t.answered = true;
      await this.options.deliver({ type: 'answered', station: t.station, callId }, m.event);
      return;
    }
    this.calls.delete(callId);
    await this.options.deliver({ type: status === 'CANCEL' ? 'abandoned' : 'no_answer', station: t.station, callId }, m.event);
  }

  /** Hangup: the caller or the target's agent ended a transferred call. */
  async hangup(m: AmiMessage): Promise<void> {
    const callId = m.get('Linkedid');
    const t = this.calls.get(callId);
    if (!t) return;
    const channel = m.get('Channel');
    const byCaller = channel === t.callerChannel;
    if (!byCaller && this.options.stationOfChannel(channel) !== t.station) return;
    this.calls.delete(callId);
    const event = t.answered ? { type: 'hangup', station: t.station, callId, by: byCaller ? 'caller' : 'agent' } : { type: 'abandoned', station: t.station, callId };
    await this.options.deliver(event, m.event);
  }
}
