// Every component logs through one pino logger: JSON lines on the command's
// error output, and a secret passed in a log entry never reaches them.
import { expect, it } from 'vitest';
import { outputLogger } from '../provisioner/logging.ts';

it('writes JSON lines naming the component, with secrets redacted and info only when verbose', () => {
  const lines: string[] = [];
  const output = { out: () => {}, err: (t: string) => void lines.push(t), tty: false };
  const quiet = outputLogger(output, 'service', false);
  quiet.info({ station: 'wv-01' }, 'applied');
  quiet.warn({ station: 'wv-01', password: 'pw-1', config: { pass: 'pw-2', psk: 'pw-3' }, token: 'pw-4', authorization: 'Bearer pw-5' }, 'refused');
  outputLogger(output, 'ami', true).info({ secret: 'pw-6' }, 'logged in');
  expect(lines).toHaveLength(2);
  const [warn, info] = lines.map((l) => JSON.parse(l));
  expect(warn).toMatchObject({ name: 'service', level: 40, msg: 'refused', station: 'wv-01', password: '[redacted]', config: { pass: '[redacted]', psk: '[redacted]' } });
  expect(info).toMatchObject({ name: 'ami', msg: 'logged in', secret: '[redacted]' });
  expect(lines.join('\n')).not.toMatch(/pw-\d/);
});
