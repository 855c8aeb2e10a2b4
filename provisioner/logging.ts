// The host's one logger: pino, one JSON line per entry on stderr (or a
// command's error output, where tests read it), with secrets redacted
// whatever a component passes in. The broker, the station service, the
// event sources and the AMI connector all log through it.
import pino, { type DestinationStream, type LevelWithSilent } from 'pino';
import type { Output } from './context.ts';

/** The slice of pino's API the components call, so a pino logger or a test's recorder fits. */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Fields that may carry a secret anywhere in a log entry's first two levels. */
const SECRET_FIELDS = ['password', 'secret', 'pass', 'psk', 'token', 'authorization'];
const REDACT = { paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]), censor: '[redacted]' };

/** A named component's logger (`name` in every line); its level can change later (`logger.level = 'error'`). */
export function hostLogger(name: string, level: LevelWithSilent = 'info', destination: DestinationStream = pino.destination(2)): pino.Logger {
  return pino({ name, level, redact: REDACT }, destination);
}

/** A component's logger on a command's error output: warnings and errors, and with --verbose every applied event. */
export function outputLogger(output: Output, name: string, verbose: boolean): pino.Logger {
  return hostLogger(name, verbose ? 'info' : 'warn', { write: (line: string) => output.err(line) });
}

export const silentLogger: Logger = pino({ level: 'silent' });
