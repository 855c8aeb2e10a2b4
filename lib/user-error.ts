/**
 * An error a user can act on: what went wrong and what to do about it. The CLI
 * prints both and exits with `exitCode`; nothing else is printed for it.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly fix: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
