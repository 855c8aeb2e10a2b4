// Customer data (typed account, lookup result) lives only for the call it
// belongs to: it is gone once the host's snapshot no longer carries that call.
// The IVR's number is looked up by the host as it offers the call; the desk
// shows that result rather than asking again.
import { describe, expect, it } from 'vitest';
import { step } from '../firmware/src/core/state.ts';
import { view, screenText } from '../firmware/src/core/view.ts';
import { T0, call, drain, freshState, online, snap } from './helpers/firmware-fixtures.ts';

const found = { corr: '', status: 1, account: '400012345678', name: 'Erika Müller', street: 'Seestraße 4', place: '13353 Berlin', openItems: 2, openCents: 12345 };

describe('customer data', () => {
  it('is dropped when wrap-up ends and never shown on the next call', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 3, seq: 1, call: call({ ivrAccount: '400012345678' }) }) });
    const [req] = drain(s);
    expect(req.k).toBe('lookup');
    expect(req.v).toMatchObject({ account: '400012345678', source: 2, callId: 'c-1' });
    step(s, { t: 'res', n: 100, v: { ...found, corr: (req.v as { corr: string }).corr } });
    expect(screenText(view(s, 100))).toContain('Erika Müller');
    step(s, { t: 'snap', n: 200, v: snap({ phase: 5, seq: 2, call: call(), wrapUpDeadlineMs: T0 + 300_000 }) });
    expect(s.lk?.r?.name).toBe('Erika Müller');
    step(s, { t: 'snap', n: 300, v: snap({ phase: 2, seq: 3, call: null }) });
    expect(s.lk).toBeNull();
    expect(s.acc).toBe('');
    expect(JSON.stringify(s)).not.toContain('Müller');
    step(s, { t: 'snap', n: 400, v: snap({ phase: 4, seq: 4, call: call({ callId: 'c-2' }) }) });
    expect(screenText(view(s, 400)).join('\n')).not.toContain('Müller');
  });

  it("shows the host's result for the IVR's number without asking again", () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 2, seq: 1 }) });
    // Offered 300 ms after the last snapshot, received 50 ms later: live, so the host's own lookup is on its way.
    step(s, { t: 'snap', n: 350, v: snap({ phase: 3, seq: 2, hostTimeMs: T0 + 300, call: call({ ivrAccount: '400012345678' }) }) });
    expect(drain(s)).toEqual([]);
    expect(screenText(view(s, 400))).toContain('Suche...');
    step(s, { t: 'res', n: 400, v: { ...found, corr: 'ivr:c-1' } });
    expect(screenText(view(s, 400))).toContain('Erika Müller');
  });

  it("takes the host's IVR result that overtook the snapshot bringing its call, and only for that call", () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 2, seq: 1 }) });
    step(s, { t: 'res', n: 300, v: { ...found, corr: 'ivr:c-1' } });
    step(s, { t: 'snap', n: 350, v: snap({ phase: 3, seq: 2, hostTimeMs: T0 + 300, call: call({ ivrAccount: '400012345678' }) }) });
    expect(drain(s)).toEqual([]);
    expect(screenText(view(s, 400))).toContain('Erika Müller');
    // A result meant for another call is not shown on this one.
    step(s, { t: 'snap', n: 500, v: snap({ phase: 2, seq: 3, hostTimeMs: T0 + 450 }) });
    step(s, { t: 'res', n: 600, v: { ...found, corr: 'ivr:c-9' } });
    step(s, { t: 'snap', n: 650, v: snap({ phase: 3, seq: 4, hostTimeMs: T0 + 600, call: call({ callId: 'c-2', ivrAccount: '400012345678' }) }) });
    expect(screenText(view(s, 700)).join('\n')).not.toContain('Müller');
    expect(s.lk).toMatchObject({ c: 'ivr:c-2', st: 0, r: null });
  });

  it('asks for the IVR number itself when it was away as the call was offered', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 2, seq: 1 }) });
    // Back online a minute later, the ringing snapshot queued since: the host's result went out meanwhile.
    step(s, { t: 'snap', n: 60_000, v: snap({ phase: 3, seq: 2, hostTimeMs: T0 + 300, call: call({ ivrAccount: '400012345678' }) }) });
    expect(drain(s)).toEqual([{ k: 'lookup', v: expect.objectContaining({ account: '400012345678', source: 2, callId: 'c-1' }) }]);
  });

  it('a late result for a finished call is ignored', () => {
    const s = online(freshState(), 0);
    step(s, { t: 'snap', n: 0, v: snap({ phase: 3, seq: 1, call: call({ ivrAccount: '400012345678' }) }) });
    const [req] = drain(s);
    step(s, { t: 'snap', n: 10, v: snap({ phase: 2, seq: 2 }) });
    step(s, { t: 'res', n: 20, v: { ...found, corr: (req.v as { corr: string }).corr } });
    expect(s.lk).toBeNull();
  });
});
