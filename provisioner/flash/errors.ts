// Everything that can go wrong while flashing, as one typed error: `code` for
// programs (the result table, --json, tests), message and fix for the
// technician. A UserError, so the CLI prints both and exits non-zero.
import { UserError } from '../../lib/user-error.ts';

export type FlashErrorCode =
  | 'port-not-found'
  | 'port-busy'
  | 'no-answer'
  | 'wrong-board'
  | 'wrong-firmware'
  | 'no-room'
  | 'verify-mismatch'
  | 'unplugged'
  | 'device-error'
  | 'never-online'
  | 'refused-credentials';

export class FlashError extends UserError {
  constructor(
    readonly code: FlashErrorCode,
    message: string,
    fix: string,
  ) {
    super(message, fix);
    this.name = 'FlashError';
  }
}

export function isFlashError(err: unknown, code?: FlashErrorCode): err is FlashError {
  return err instanceof FlashError && (code === undefined || err.code === code);
}
