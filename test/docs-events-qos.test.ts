// docs/events.md tells integrators at which QoS each answer goes out; what it
// says must be what the service does (lookups carry customer data at QoS 0).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AccountSource, ActionKind } from '../protocol/host-codec.ts';
import { useServiceRig } from './helpers/service-harness.ts';

/** The QoS the bullet starting with `**<title>**` names, e.g. "(up/lookup → dn/lookup, QoS 0, …)". */
function documentedQos(title: string): number {
  const doc = readFileSync(new URL('../docs/events.md', import.meta.url), 'utf8');
  const bullet = doc.split('\n- ').find((b) => b.startsWith(`**${title}**`));
  const qos = bullet && /QoS (\d)/.exec(bullet);
  if (!qos) throw new Error(`docs/events.md has no "**${title}**" bullet naming a QoS`);
  return Number(qos[1]);
}

describe('docs/events.md', () => {
  const rig = useServiceRig({ stations: [{ id: 'wv-01', areas: [] }], device: { station: 'wv-01', kinds: ['lookup', 'ack'] } });

  it('names the QoS at which lookup results and action acks are sent', async () => {
    await rig.device.publish('lookup', { corr: 'q1', account: '400000000001', source: AccountSource.KEYPAD, callId: '' });
    await rig.device.until('lookup');
    await rig.device.publish('action', { key: 'q2', kind: ActionKind.READY, callId: '', account: '', createdMs: 0 });
    await rig.device.until('ack');
    const qosOf = (kind: string) => rig.device.received.find((r) => r.kind === kind)!.qos;
    expect({ lookups: documentedQos('Lookups'), actions: documentedQos('Wrap-up actions') }).toEqual({ lookups: qosOf('lookup'), actions: qosOf('ack') });
  });
});
