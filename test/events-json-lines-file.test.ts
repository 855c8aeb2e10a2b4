import { describe, expect, it } from 'vitest';
import { Phase, Reason } from '../protocol/host-codec.ts';
import { useDeskRig } from './helpers/service-harness.ts';

describe('deskphone events file: bad lines are reported and skipped, the rest applies', () => {
  const rig = useDeskRig('wv-01');

  it('names the line and field of each bad event', async () => {
    const { code, out, err } = await rig.eventsFile([
      '# a morning at the hotline',
      '{"type":"sign_in","station":"wv-01","agent":"Frau Krüger"}',
      '{"type":"offered","station":"wv-01","callId":"c1","menu":7}',
      '{"type":"offered","station":"wv-01","callId":"c1","menu":3,"ivrAccount":"12ab"}',
      '{"type":"offered","station":"wv-01","callId":"c1","menu":3',
      '{"type":"answerd","station":"wv-01","callId":"c1"}',
      '',
      '{"type":"offered","station":"wv-01","callId":"c1","menu":3,"callid":"x"}',
      '{"type":"offered","station":"wv-99","callId":"c1","menu":3}',
      '{"type":"answered","station":"wv-01","callId":"c1"}',
      '{"type":"offered","station":"wv-01","callId":"c1","menu":3}',
    ]);
    expect(code).toBe(1);
    expect(err.trim().split('\n').filter((l) => l.startsWith('line '))).toEqual([
      'line 3: menu must be an integer 1-6',
      'line 4: ivrAccount must be digits only',
      expect.stringMatching(/^line 5: not valid JSON \(.+\)$/),
      'line 6: type must be one of sign_in, sign_out, pause, resume, offered, answered, hangup, no_answer, abandoned, transferred, ready',
      'line 8: callid is not a field of "offered" events',
      'line 9: station "wv-99" is not registered',
      'line 10: rejected: station wv-01 is available; "answered" needs ringing',
    ]);
    expect(out).toMatch(/2 events applied, 7 rejected/);
    const ringing = await rig.device.until('snap', (m) => m.phase === Phase.RINGING, 'ringing');
    expect(ringing).toMatchObject({ reason: Reason.CALL_OFFERED, call: { callId: 'c1', menu: 3, ivrAccount: '' } });
  });
});
