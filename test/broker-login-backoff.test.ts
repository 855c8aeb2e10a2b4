// Password guessing against the broker: after a few failed logins, a source
// address (and a username tried from many addresses) backs off, and its
// logins are refused without being checked until the backoff has passed, so
// guesses stop being tried and the host's CPU stays with the real desks. A
// desk elsewhere (or the guessed desk at the address it logged in from
// before) connects as usual. One burst, one log line.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerWithStations, type BrokerFixture } from './helpers/broker-fixtures.ts';
import { mqttLogin } from './helpers/mqtt-login.ts';

describe('failed logins', () => {
  let fx: BrokerFixture;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    // Refusals answered after 5 ms rather than a second, so 200 guesses take a moment. The budget's clock stands
    // still: no backoff runs out while a loaded machine is slow at 200 logins, so the counts below are exact.
    fx = await brokerWithStations(['wv-01', 'wv-02', 'wv-03'], { logger, loginBudget: { refusalDelayMs: 5, now: () => 0 } });
  });
  afterAll(() => fx?.close());
  const port = () => fx.broker.tcpPort;
  const about = (text: string) => lines.filter((l) => JSON.stringify(l).includes(text));

  it('from one address: after a few, that address is refused unchecked (even with the right secret); a desk elsewhere is not', async () => {
    expect(await mqttLogin(port(), '127.0.0.1', 'wv-01', fx.secrets['wv-01'])).toBe(0);
    const codes: number[] = [];
    for (let i = 0; i < 200; i++) codes.push(await mqttLogin(port(), '127.0.0.2', i % 2 ? 'wv-01' : 'wv-03', `guess-${i}`));
    expect(codes.filter((c) => c === 4).length).toBe(11);
    expect(codes.filter((c) => c === 5).length).toBe(189);
    expect(await mqttLogin(port(), '127.0.0.2', 'wv-01', fx.secrets['wv-01'])).toBe(5);

    expect(await mqttLogin(port(), '127.0.0.1', 'wv-02', fx.secrets['wv-02'])).toBe(0);
    expect(await mqttLogin(port(), '127.0.0.1', 'wv-01', fx.secrets['wv-01'])).toBe(0);
    const burst = about('127.0.0.2').filter((l) => /backing off/.test(String(l.msg)));
    expect(burst).toHaveLength(1);
    expect(about('127.0.0.2').length).toBeLessThanOrEqual(12);
    // Nothing else about the guesser's 200 logins either (aedes reports each refused one as a client error too).
    expect(lines.filter((l) => !('source' in l))).toEqual([]);
  });

  it('for one username from many addresses: that username backs off except where it logged in before', async () => {
    expect(await mqttLogin(port(), '127.0.0.1', 'wv-02', fx.secrets['wv-02'])).toBe(0);
    const codes: number[] = [];
    for (let i = 0; i < 120; i++) codes.push(await mqttLogin(port(), `127.0.1.${1 + (i % 40)}`, 'wv-02', `guess-${i}`));
    expect(codes.filter((c) => c === 4).length).toBe(11);
    expect(await mqttLogin(port(), '127.0.2.1', 'wv-02', fx.secrets['wv-02'])).toBe(5);
    expect(await mqttLogin(port(), '127.0.0.1', 'wv-02', fx.secrets['wv-02'])).toBe(0);
    expect(about('"wv-02"').filter((l) => /backing off/.test(String(l.msg)))).toHaveLength(1);
  });
});
