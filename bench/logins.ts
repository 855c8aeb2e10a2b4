// Password guessing against the embedded broker: a guesser at 127.0.0.2
// sends wrong passwords as fast as four connections allow while a real desk
// at 127.0.0.1 logs in five times a second. Without the login budget
// (free = Infinity, as before it existed) and with the defaults: guesses
// tried, guesses the broker actually checked, and the desk's login latency.
import pino from 'pino';
import { percentile } from './lib/stats.ts';
import { brokerWithStations } from '../test/helpers/broker-fixtures.ts';
import { mqttLogin } from '../test/helpers/mqtt-login.ts';

const SECONDS = 8;
const GUESSERS = 4;

async function round(label: string, guessers: number, loginBudget: { free: number } | undefined): Promise<void> {
  const fx = await brokerWithStations(['wv-01', 'wv-02'], { logger: pino({ level: 'silent' }), loginBudget });
  // Counted where the broker asks for the (slow) secret check.
  let checked = 0;
  const authenticate = fx.registry.authenticate.bind(fx.registry);
  fx.registry.authenticate = (username, secret) => {
    if (username === 'wv-01') checked++;
    return authenticate(username, secret);
  };
  const port = fx.broker.tcpPort;
  const until = Date.now() + SECONDS * 1000;
  let guesses = 0;
  const guesser = async () => {
    while (Date.now() < until) {
      await mqttLogin(port, '127.0.0.2', 'wv-01', `guess-${guesses++}`);
    }
  };
  const latencies: number[] = [];
  const desk = async () => {
    while (Date.now() < until) {
      const started = performance.now();
      const code = await mqttLogin(port, '127.0.0.1', 'wv-02', fx.secrets['wv-02']);
      if (code === 0) latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await Promise.all([...Array.from({ length: guessers }, guesser), desk()]);
  await fx.close();
  latencies.sort((a, b) => a - b);
  console.log(
    `${label}: ${guesses} guesses (${(guesses / SECONDS).toFixed(0)}/s), ${checked} checked; ` +
      `desk login p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms (${latencies.length} logins)`,
  );
}

export async function run(): Promise<void> {
  await round('desk alone', 0, undefined);
  await round('guessers, no budget (as before)', GUESSERS, { free: Infinity });
  await round('guessers, login budget', GUESSERS, undefined);
}
