/** The slice of pino's API the service uses, so a pino logger or a silent one fits. */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
