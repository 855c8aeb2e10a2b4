import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { decodeMessage, Phase } from '../../protocol/host-codec.ts';
import { downTopic, HOST_PRESENCE, parseStationTopic, upTopic } from '../../protocol/topics.ts';
import { menuLabel, menuOf } from '../../protocol/catalogue.ts';
import { formatTable } from '../text.ts';
import { PHASE_NAMES } from './machine.ts';
import type { Snapshot } from './service.ts';

export interface StationView {
  station: string;
  snapshot: Snapshot | null;
  /** Device presence: true/false from its retained presence, null if never seen. */
  online: boolean | null;
}

/**
 * Follows every station's retained snapshot and presence over MQTT, so it
 * shows a running host's view without touching the host's database.
 */
export class StationWatch extends EventEmitter {
  private client: MqttClient | null = null;
  private readonly views = new Map<string, StationView>();
  /**
   * Host clock minus local clock. A retained snapshot's host time is when it
   * was published, perhaps hours ago, so only live ones (retain flag 0, MQTT
   * 3.1.1 section 3.3.1.3) set it; until one arrives the clocks are taken to
   * agree, as NTP keeps them.
   */
  private hostOffsetMs = 0;
  hostOnline: boolean | null = null;

  constructor(
    private readonly url: string,
    private readonly options: IClientOptions = {},
  ) {
    super();
  }

  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.url, { reconnectPeriod: 1000, ...this.options, clean: true });
    this.client = client;
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));
    await client.subscribeAsync([downTopic('+', 'snap'), upTopic('+', 'presence'), HOST_PRESENCE], { qos: 0 });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.endAsync();
  }

  /** The host's clock now, from the local one. */
  hostNow(localMs = Date.now()): number {
    return localMs + this.hostOffsetMs;
  }

  list(): StationView[] {
    return [...this.views.values()].sort((a, b) => a.station.localeCompare(b.station));
  }

  /** Resolves once no message has arrived for `quietMs` (the retained burst is over), or after maxMs. */
  settle(quietMs = 300, maxMs = 3000): Promise<void> {
    return new Promise((resolve) => {
      let quiet: NodeJS.Timeout;
      const done = () => {
        clearTimeout(quiet);
        clearTimeout(cap);
        this.off('change', restart);
        resolve();
      };
      const restart = () => {
        clearTimeout(quiet);
        quiet = setTimeout(done, quietMs);
      };
      const cap = setTimeout(done, maxMs);
      this.on('change', restart);
      restart();
    });
  }

  private view(station: string): StationView {
    let v = this.views.get(station);
    if (!v) this.views.set(station, (v = { station, snapshot: null, online: null }));
    return v;
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    try {
      if (topic === HOST_PRESENCE) {
        this.hostOnline = payload.length === 0 ? null : Boolean((decodeMessage('HostPresence', new Uint8Array(payload)) as { online: boolean }).online);
        this.emit('change', null);
        return;
      }
      const parsed = parseStationTopic(topic);
      if (!parsed) return;
      if (parsed.kind === 'snap') {
        const v = this.view(parsed.station);
        v.snapshot = payload.length === 0 ? null : (decodeMessage('Snapshot', new Uint8Array(payload)));
        if (v.snapshot && !retained) this.hostOffsetMs = v.snapshot.hostTimeMs - Date.now();
        this.emit('change', v);
      } else if (parsed.kind === 'presence') {
        const v = this.view(parsed.station);
        v.online = payload.length === 0 ? null : Boolean((decodeMessage('Presence', new Uint8Array(payload)) as { online: boolean }).online);
        this.emit('change', v);
      }
    } catch (err) {
      this.emit('problem', `${topic}: ${(err as Error).message}`);
    }
  }
}

export interface StationLine {
  station: string;
  phase: string;
  topic: string;
  callId: string;
  agent: string;
  online: boolean | null;
  /** Seconds since the phase began. */
  elapsedS: number;
  /** Seconds of wrap-up left; null outside wrap-up. */
  remainingS: number | null;
  seq: number;
}

/** One station's row at the host's time `hostNow` (StationWatch.hostNow()). */
export function lineOf(v: StationView, hostNow: number): StationLine {
  const s = v.snapshot;
  const menu = s?.call?.menu ?? 0;
  return {
    station: v.station,
    phase: s ? (PHASE_NAMES[s.phase] ?? 'unknown') : 'no snapshot',
    topic: menu && menuOf(menu) ? menuLabel(menu, 'en') : '',
    callId: s?.call?.callId ?? '',
    agent: s?.agent ?? '',
    online: v.online,
    elapsedS: s ? Math.max(0, Math.floor((hostNow - s.phaseSinceMs) / 1000)) : 0,
    remainingS: s && s.phase === Phase.WRAP_UP ? Math.max(0, Math.ceil((s.wrapUpDeadlineMs - hostNow) / 1000)) : null,
    seq: s?.seq ?? 0,
  };
}

function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const h = Math.floor(m / 60);
  const mm = String(m % 60).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** The table as text: one line per station, remaining wrap-up shown with a minus sign. */
export function renderTable(lines: StationLine[]): string {
  return formatTable(
    ['STATION', 'PHASE', 'TOPIC', 'TIME', 'AGENT', 'DEVICE'],
    lines.map((l) => [
      l.station,
      l.phase,
      l.topic,
      l.remainingS !== null ? '-' + clock(l.remainingS) : clock(l.elapsedS),
      l.agent,
      l.online === null ? '?' : l.online ? 'online' : 'OFFLINE',
    ]),
  );
}
