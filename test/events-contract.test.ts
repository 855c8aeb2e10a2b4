// The call-event contract every source keeps (docs/events.md): the same
// calls, told through JSON lines, the webhook and Asterisk's AMI, leave the
// desks in the same phases, and an event that does not fit is refused
// without changing anything.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Area, Phase, Reason } from '../protocol/host-codec.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { HttpSource } from '../provisioner/service/sources/http.ts';
import { JsonLinesSource } from '../provisioner/service/sources/json-lines.ts';
import { useAmiRig, type Call } from './helpers/ami-server.ts';
import { useServiceRig, type ServiceRig } from './helpers/service-harness.ts';

type Event = Record<string, unknown> & { type: string; station: string };
type Send = (event: Event) => Promise<'applied' | 'rejected'>;

const WRAP_UP_S = 60;

/** One source under the contract: sets itself up around the rig's service, returns how to tell it one event. */
interface Driver {
  name: string;
  use(rig: ServiceRig): Send;
}

const jsonLines: Driver = {
  name: 'JSON lines',
  use(rig) {
    const input = new PassThrough();
    let problems = 0;
    const source = new JsonLinesSource(input, () => problems++);
    let done: Promise<void>;
    beforeAll(() => {
      done = source.start((raw) => rig.service.ingest(raw));
    });
    afterAll(async () => {
      input.end();
      await done;
    });
    return async (event) => {
      const before = problems;
      const lines = source.summary.applied + source.summary.rejected;
      input.write(JSON.stringify(event) + '\n');
      while (source.summary.applied + source.summary.rejected === lines) await new Promise((r) => setImmediate(r));
      return problems === before ? 'applied' : 'rejected';
    };
  },
};

const webhook: Driver = {
  name: 'the HTTP webhook',
  use(rig) {
    const hook = new HttpSource({ token: 'contract-token' });
    beforeAll(() => hook.start((raw) => rig.service.ingest(raw)));
    afterAll(() => hook.stop());
    return async (event) => {
      const res = await fetch(hook.url, { method: 'POST', headers: { authorization: 'Bearer contract-token' }, body: JSON.stringify(event) });
      await res.body?.cancel();
      return res.status === 200 ? 'applied' : 'rejected';
    };
  },
};

const IFACE: Record<string, { iface: string; ext: string }> = { 'wv-01': { iface: 'PJSIP/1001', ext: '1001' }, 'wv-02': { iface: 'PJSIP/1002', ext: '1002' } };

/** The same events as Asterisk tells them: the queue's Agent* events, member events, transfers. */
const ami: Driver = {
  name: 'Asterisk AMI',
  use(rig) {
    const connector = useAmiRig(rig, Object.entries(IFACE).map(([station, m]) => `${m.iface},${station},${m.ext}`));
    const calls = new Map<string, Call>();
    /** Calls transferred to a station, followed with Dial/Hangup rather than the queue's events. */
    const transferredTo = new Map<string, string>();
    return async (e) => {
      const pbx = connector.ami;
      const { iface } = IFACE[e.station];
      const call = calls.get(String(e.callId)) ?? pbx.newCall(String(e.callId), String(e.menu ?? ''), String(e.ivrAccount ?? ''));
      calls.set(call.linkedid, call);
      const viaTransfer = transferredTo.get(call.linkedid) === e.station;
      if (e.type === 'sign_in') pbx.addMember(iface, String(e.agent));
      else if (e.type === 'sign_out') pbx.removeMember(iface);
      else if (e.type === 'pause' || e.type === 'resume') pbx.pauseMember(iface, e.type === 'pause', 'Pause');
      else if (e.type === 'offered') pbx.agentEvent('AgentCalled', call, iface);
      else if (e.type === 'answered' && viaTransfer) pbx.dialEnd(call, iface, 'ANSWER');
      else if (e.type === 'answered') pbx.agentEvent('AgentConnect', call, iface);
      else if (e.type === 'hangup' && viaTransfer) pbx.hangup(call, e.by === 'caller' ? call.channel : pbx.agentChannel(iface));
      else if (e.type === 'hangup') pbx.agentEvent('AgentComplete', call, iface, [['Reason', String(e.by)]]);
      else if (e.type === 'no_answer') pbx.agentEvent('AgentRingNoAnswer', call, iface);
      else if (e.type === 'abandoned') pbx.abandon(call);
      else if (e.type === 'transferred') {
        transferredTo.set(call.linkedid, String(e.toStation));
        pbx.blindTransfer(call, iface, IFACE[String(e.toStation)].ext);
      } else throw new Error(`no AMI form for ${e.type}`);
      const rejected = connector.source.stats.rejected;
      await connector.source.client.action('Ping');
      await connector.source.settled();
      return connector.source.stats.rejected === rejected ? 'applied' : 'rejected';
    };
  },
};

for (const driver of [jsonLines, webhook, ami]) {
  describe(`call-event contract through ${driver.name}`, () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 10));
    const rig = useServiceRig({ stations: [{ id: 'wv-01', areas: [] }, { id: 'wv-02', areas: [] }], service: { clock, wrapUpSeconds: WRAP_UP_S } });
    const send = driver.use(rig);
    const phase = (station: string) => {
      const s = rig.service.state(station);
      return s && { phase: s.phase, reason: s.reason, callId: s.call?.callId ?? '' };
    };
    const step = async (event: Event, station: string, expected: { phase: number; reason: number }) => {
      expect(await send(event), JSON.stringify(event)).toBe('applied');
      expect(phase(station), JSON.stringify(event)).toMatchObject(expected);
    };

    it('signs in, rings with menu and IVR account, talks, wraps up, and refuses what does not fit', async () => {
      await step({ type: 'sign_in', station: 'wv-01', agent: 'Frau Krüger' }, 'wv-01', { phase: Phase.AVAILABLE, reason: Reason.SIGNED_IN });
      await step({ type: 'sign_in', station: 'wv-02', agent: 'Herr Yilmaz' }, 'wv-02', { phase: Phase.AVAILABLE, reason: Reason.SIGNED_IN });
      await step({ type: 'offered', station: 'wv-01', callId: 'c1', menu: 3, ivrAccount: '400123456789' }, 'wv-01', { phase: Phase.RINGING, reason: Reason.CALL_OFFERED });
      expect(rig.service.state('wv-01')?.call).toMatchObject({ callId: 'c1', menu: 3, area: Area.KM, ivrAccount: '400123456789' });
      await step({ type: 'answered', station: 'wv-01', callId: 'c1' }, 'wv-01', { phase: Phase.TALKING, reason: Reason.CALL_ANSWERED });

      const before = rig.service.state('wv-01');
      expect(await send({ type: 'answered', station: 'wv-01', callId: 'c1' })).toBe('rejected');
      expect(rig.service.state('wv-01')).toBe(before);

      await step({ type: 'hangup', station: 'wv-01', callId: 'c1', by: 'agent' }, 'wv-01', { phase: Phase.WRAP_UP, reason: Reason.AGENT_HUNG_UP });
      clock.advance(WRAP_UP_S * 1000);
      expect(phase('wv-01')).toMatchObject({ phase: Phase.AVAILABLE, reason: Reason.WRAP_UP_TIMER_EXPIRED });
    });

    it('frees a desk on ring-no-answer and on abandon; pauses and resumes', async () => {
      await step({ type: 'offered', station: 'wv-01', callId: 'c2', menu: 1 }, 'wv-01', { phase: Phase.RINGING, reason: Reason.CALL_OFFERED });
      await step({ type: 'no_answer', station: 'wv-01', callId: 'c2' }, 'wv-01', { phase: Phase.AVAILABLE, reason: Reason.RING_NO_ANSWER });
      await step({ type: 'offered', station: 'wv-01', callId: 'c3', menu: 6 }, 'wv-01', { phase: Phase.RINGING, reason: Reason.CALL_OFFERED });
      await step({ type: 'abandoned', station: 'wv-01', callId: 'c3' }, 'wv-01', { phase: Phase.AVAILABLE, reason: Reason.CALLER_ABANDONED });
      await step({ type: 'pause', station: 'wv-02' }, 'wv-02', { phase: Phase.PAUSED, reason: Reason.PAUSE_STARTED });
      await step({ type: 'resume', station: 'wv-02' }, 'wv-02', { phase: Phase.AVAILABLE, reason: Reason.PAUSE_ENDED });
    });

    it('transfers a talking call to another station, which answers and hangs up; signs out', async () => {
      await step({ type: 'offered', station: 'wv-01', callId: 'c4', menu: 4 }, 'wv-01', { phase: Phase.RINGING, reason: Reason.CALL_OFFERED });
      await step({ type: 'answered', station: 'wv-01', callId: 'c4' }, 'wv-01', { phase: Phase.TALKING, reason: Reason.CALL_ANSWERED });
      await step({ type: 'transferred', station: 'wv-01', callId: 'c4', toStation: 'wv-02' }, 'wv-01', { phase: Phase.WRAP_UP, reason: Reason.TRANSFERRED });
      expect(phase('wv-02')).toEqual({ phase: Phase.RINGING, reason: Reason.CALL_OFFERED, callId: 'c4' });
      await step({ type: 'answered', station: 'wv-02', callId: 'c4' }, 'wv-02', { phase: Phase.TALKING, reason: Reason.CALL_ANSWERED });
      await step({ type: 'hangup', station: 'wv-02', callId: 'c4', by: 'caller' }, 'wv-02', { phase: Phase.WRAP_UP, reason: Reason.CALLER_HUNG_UP });
      await step({ type: 'sign_out', station: 'wv-01' }, 'wv-01', { phase: Phase.SIGNED_OUT, reason: Reason.SIGNED_OFF });
    });
  });
}
