import { describe, expect, it } from 'vitest';
import { ActionKind, Area, Phase, Reason } from '../protocol/host-codec.ts';
import { ManualClock } from '../provisioner/service/clock.ts';
import { desk, useAmiRig } from './helpers/ami-server.ts';
import { useServiceRig } from './helpers/service-harness.ts';

const N = { Interface: 'PJSIP/1001', Paused: 'true', Reason: 'Nachbearbeitung' };
const pause = (iface: string, reason = 'Nachbearbeitung') => ({ Interface: iface, Paused: 'true', Reason: reason });
const unpause = (iface: string) => ({ Interface: iface, Paused: 'false', Reason: '' });

describe('events ami: a hotline day on a scripted Asterisk, through the station service', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 8));
  const rig = useServiceRig({
    stations: [{ id: 'wv-01', areas: [] }, { id: 'wv-02', areas: [] }, { id: 'km-01', areas: [] }],
    service: { clock, wrapUpSeconds: 120 },
    device: { station: 'wv-02', kinds: ['ack'] },
  });
  // Two members from queues.conf, a third (by member name, behind a Local channel) logs in later, one phone has no desk.
  const connector = useAmiRig(rig, ['PJSIP/1001,wv-01,1001', 'PJSIP/1002,wv-02,1002', 'Herr Weber,km-01,1003', ',laboratory,2005'], (pbx) => {
    pbx.addMember('PJSIP/1001', 'Frau Krüger', 'hotline', false);
    pbx.addMember('PJSIP/1002', 'Herr Yilmaz', 'hotline', false);
    pbx.addMember('PJSIP/1999', 'Azubi', 'hotline', false);
  });
  const { ami, log } = connector;
  /** Everything Asterisk sent so far is handled: the Ping's answer comes after it on the same link. */
  const handled = async () => {
    await connector.source.client.action('Ping');
    await connector.source.settled();
  };
  const at = (station: string, phase: number, reason: number, what: string) => desk(rig.service, station, (s) => s.phase === phase && s.reason === reason, what);
  /** A queue call offered to and answered at one member, once its desk shows it talking. */
  const talking = async (linkedid: string, menu: string, iface: string, station: string) => {
    const call = ami.newCall(linkedid, menu);
    ami.agentEvent('AgentCalled', call, iface);
    ami.agentEvent('AgentConnect', call, iface);
    await at(station, Phase.TALKING, Reason.CALL_ANSWERED, 'talking');
    return call;
  };

  it('signs in the members Asterisk has, and one who logs in later; ignores the unmapped one', async () => {
    await at('wv-01', Phase.AVAILABLE, Reason.SIGNED_IN, 'signed in from QueueStatus');
    expect(rig.service.state('wv-01')?.agent).toBe('Frau Krüger');
    await at('wv-02', Phase.AVAILABLE, Reason.SIGNED_IN, 'signed in from QueueStatus');
    expect(rig.service.state('km-01')?.phase).toBe(Phase.SIGNED_OUT);

    ami.addMember('Local/1003@agents/n', 'Herr Weber');
    await at('km-01', Phase.AVAILABLE, Reason.SIGNED_IN, 'signed in by QueueMemberAdded');
    const stray = ami.newCall('1764230400.1', '2');
    ami.agentEvent('AgentCalled', stray, 'PJSIP/1999');
    ami.agentEvent('AgentRingNoAnswer', stray, 'PJSIP/1999');
    await handled();
    expect(connector.source.stats.unmapped).toBe(2);
    expect(log.filter((l) => l.includes('PJSIP/1999') && l.startsWith('warn'))).toHaveLength(1);
  });

  it('rings every desk of a ringall queue with menu and IVR account, answered at one, hung up by the caller; wrap-up pauses the member until READY', async () => {
    const call = ami.newCall('1764230460.7', '3', '400123456789');
    ami.agentEvent('AgentCalled', call, 'PJSIP/1001');
    ami.agentEvent('AgentCalled', call, 'PJSIP/1002');
    const ringing = await at('wv-02', Phase.RINGING, Reason.CALL_OFFERED, 'ringing');
    expect(ringing.call).toMatchObject({ callId: '1764230460.7', menu: 3, area: Area.KM, ivrAccount: '400123456789' });
    expect(rig.service.state('wv-01')?.phase).toBe(Phase.RINGING);

    ami.agentEvent('AgentConnect', call, 'PJSIP/1002', [['RingTime', '4'], ['HoldTime', '9']]);
    await at('wv-02', Phase.TALKING, Reason.CALL_ANSWERED, 'talking');
    await at('wv-01', Phase.AVAILABLE, Reason.RING_NO_ANSWER, 'released when the other desk answered');

    ami.agentEvent('AgentComplete', call, 'PJSIP/1002', [['HoldTime', '9'], ['TalkTime', '180'], ['Reason', 'caller']]);
    await at('wv-02', Phase.WRAP_UP, Reason.CALLER_HUNG_UP, 'in wrap-up');
    await ami.until(() => ami.members.get('PJSIP/1002')!.paused, 'wrap-up pause');
    expect(ami.pauses).toEqual([pause('PJSIP/1002')]);

    await rig.device.publish('action', { key: 'r-1', kind: ActionKind.READY, callId: call.linkedid, createdMs: clock.now() });
    await at('wv-02', Phase.AVAILABLE, Reason.AGENT_READY, 'ready');
    await ami.until(() => ami.pauses.length === 2, 'unpause on READY');
    expect(ami.pauses[1]).toEqual(unpause('PJSIP/1002'));
    // The echoes of both pauses changed nothing on the desk.
    await handled();
    expect(rig.service.state('wv-02')).toMatchObject({ phase: Phase.AVAILABLE, reason: Reason.AGENT_READY });
  });

  it('takes every menu 1-6, with and without an IVR account; ring-no-answer and abandon free the desk', async () => {
    for (const menu of [1, 2, 3, 4, 5, 6]) {
      const call = ami.newCall(`1764230500.${menu}`, String(menu), menu % 2 ? '' : `40012345678${menu}`);
      ami.agentEvent('AgentCalled', call, 'Local/1003@agents/n');
      const s = await desk(rig.service, 'km-01', (st) => st.call?.callId === call.linkedid, `offered menu ${menu}`);
      expect(s.call).toMatchObject({ menu, ivrAccount: call.account });
      if (menu <= 3) ami.agentEvent('AgentRingNoAnswer', call, 'Local/1003@agents/n', [['RingTime', '15']]);
      else ami.abandon(call);
      await at('km-01', Phase.AVAILABLE, menu <= 3 ? Reason.RING_NO_ANSWER : Reason.CALLER_ABANDONED, `free after menu ${menu}`);
    }
    // A dialplan without DP_MENU: the desk does not ring, and the log says what to set.
    const bare = ami.newCall('1764230560.1', '');
    ami.agentEvent('AgentCalled', bare, 'Local/1003@agents/n');
    await handled();
    expect(rig.service.state('km-01')?.phase).toBe(Phase.AVAILABLE);
    expect(log.some((l) => l.startsWith('warn') && l.includes('channel variable DP_MENU'))).toBe(true);
    expect(ami.pauses).toHaveLength(2);
  });

  it('ends a call the agent hung up in wrap-up, unpauses when the host clock runs out', async () => {
    const call = ami.newCall('1764230600.3', '1');
    ami.agentEvent('AgentCalled', call, 'PJSIP/1001');
    ami.agentEvent('AgentConnect', call, 'PJSIP/1001');
    ami.agentEvent('AgentComplete', call, 'PJSIP/1001', [['Reason', 'agent']]);
    await at('wv-01', Phase.WRAP_UP, Reason.AGENT_HUNG_UP, 'wrap-up after the agent hung up');
    await ami.until(() => ami.pauses.length === 3, 'wrap-up pause');
    clock.advance(120_000);
    await at('wv-01', Phase.AVAILABLE, Reason.WRAP_UP_TIMER_EXPIRED, 'free when the host clock ran out');
    await ami.until(() => ami.pauses.length === 4, 'unpause at wrap-up end');
    expect(ami.pauses.slice(2)).toEqual([N, unpause('PJSIP/1001')]);
  });

  it('follows a blind transfer to another member: the first desk wraps up, the second rings, talks, and wraps up', async () => {
    const call = await talking('1764230700.4', '4', 'PJSIP/1001', 'wv-01');
    ami.blindTransfer(call, 'PJSIP/1001', '1002');
    ami.agentEvent('AgentComplete', call, 'PJSIP/1001', [['Reason', 'transfer']]);
    await at('wv-01', Phase.WRAP_UP, Reason.TRANSFERRED, 'wrap-up after handing the call on');
    const ringing = await at('wv-02', Phase.RINGING, Reason.CALL_OFFERED, 'the transfer ringing');
    expect(ringing.call).toMatchObject({ callId: call.linkedid, menu: 4 });
    ami.calls.set(call.linkedid, call);
    ami.dialEnd(call, 'PJSIP/1002', 'ANSWER');
    await at('wv-02', Phase.TALKING, Reason.CALL_ANSWERED, 'talking after the transfer');
    ami.hangup(call);
    await at('wv-02', Phase.WRAP_UP, Reason.CALLER_HUNG_UP, 'wrap-up after the caller hung up');
    await ami.until(() => ami.pauses.length === 6, 'both members paused');
    expect(ami.pauses.slice(4)).toEqual([N, pause('PJSIP/1002')]);
    clock.advance(120_000);
    await ami.until(() => ami.pauses.length === 8, 'both unpaused');
  });

  it('passes pauses both ways without echoing them back', async () => {
    ami.pauseMember('PJSIP/1002', true, 'Mittag');
    await at('wv-02', Phase.PAUSED, Reason.PAUSE_STARTED, 'paused by Asterisk');
    ami.pauseMember('PJSIP/1002', false);
    await at('wv-02', Phase.AVAILABLE, Reason.PAUSE_ENDED, 'unpaused by Asterisk');
    expect(ami.pauses).toHaveLength(8);

    rig.service.ingest({ type: 'pause', station: 'wv-01' });
    await ami.until(() => ami.pauses.length === 9, 'the desk pause in Asterisk');
    rig.service.ingest({ type: 'resume', station: 'wv-01' });
    await ami.until(() => ami.pauses.length === 10, 'the desk resume in Asterisk');
    expect(ami.pauses.slice(8)).toEqual([pause('PJSIP/1001', 'Pause'), unpause('PJSIP/1001')]);
    await handled();
    expect(rig.service.state('wv-01')).toMatchObject({ phase: Phase.AVAILABLE, reason: Reason.PAUSE_ENDED });
  });

  it('retries a QueuePause Asterisk refuses, logging each failure; the desk does not wait', async () => {
    ami.failPauses = 2;
    const call = ami.newCall('1764230800.5', '5');
    ami.agentEvent('AgentCalled', call, 'PJSIP/1001');
    ami.agentEvent('AgentConnect', call, 'PJSIP/1001');
    ami.agentEvent('AgentComplete', call, 'PJSIP/1001', [['Reason', 'caller']]);
    await at('wv-01', Phase.WRAP_UP, Reason.CALLER_HUNG_UP, 'wrap-up at once');
    await ami.until(() => ami.members.get('PJSIP/1001')!.paused, 'the third attempt');
    expect(ami.pauses.slice(10)).toEqual([N, N, N]);
    expect(log.filter((l) => l.startsWith('warn QueuePause failed') && l.includes('Interface not found'))).toHaveLength(2);
    clock.advance(120_000);
    await ami.until(() => ami.pauses.length === 14, 'unpause');
  });

  it('after an Asterisk restart mid-call: logs in again, ends the lost call and pauses the member for its wrap-up', async () => {
    const call = await talking('1764230900.6', '2', 'PJSIP/1002', 'wv-02');
    const logins = ami.logins;
    await ami.restart();
    await at('wv-02', Phase.WRAP_UP, Reason.CALLER_HUNG_UP, 'the lost call ended');
    expect(ami.logins).toBe(logins + 1);
    await ami.until(() => ami.members.get('PJSIP/1002')!.paused, 'wrap-up pause in the restarted Asterisk');
    expect(ami.pauses.slice(14)).toEqual([pause('PJSIP/1002')]);
    expect(log.some((l) => l.startsWith('warn AMI link down'))).toBe(true);
  });

  it('after a dropped TCP link: keeps a call that goes on, and catches up on a member who left meanwhile', async () => {
    const call = await talking('1764231000.8', '6', 'PJSIP/1001', 'wv-01');
    const logins = ami.logins;
    ami.dropLinks();
    ami.removeMember('Local/1003@agents/n', false);
    await at('km-01', Phase.SIGNED_OUT, Reason.SIGNED_OFF, 'signed out after the re-sync');
    expect(ami.logins).toBe(logins + 1);
    expect(rig.service.state('wv-01')).toMatchObject({ phase: Phase.TALKING, call: { callId: call.linkedid } });
    ami.agentEvent('AgentComplete', call, 'PJSIP/1001', [['Reason', 'caller']]);
    await at('wv-01', Phase.WRAP_UP, Reason.CALLER_HUNG_UP, 'wrap-up');
  });

  it('skips malformed lines and goes on with the session', async () => {
    ami.raw('this line has no colon\r\n: neither a key\r\n\r\n');
    ami.raw('Event: QueueMemberPause\r\nbroken line inside an event\r\n\r\n');
    ami.addMember('Local/1003@agents/n', 'Herr Weber');
    await at('km-01', Phase.AVAILABLE, Reason.SIGNED_IN, 'signed in after the garbage');
    expect(connector.source.stats.malformed).toBe(3);
    expect(log.filter((l) => l.startsWith('warn malformed AMI line skipped'))).toHaveLength(3);
    expect(log.join('\n')).not.toContain('s3cret-Ami!');
  });
});
