// Runs `deskphone ...` in-process with captured output and a temp DESKPHONE_HOME.
import { cli } from '../../provisioner/cli.ts';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export function cliIn(home: string): (...argv: string[]) => Promise<CliRun> {
  return async (...argv) => {
    let out = '';
    let err = '';
    const output = { out: (t: string) => void (out += t.endsWith('\n') ? t : t + '\n'), err: (t: string) => void (err += t.endsWith('\n') ? t : t + '\n'), tty: false };
    const code = await cli(argv, { output, env: { DESKPHONE_HOME: home }, stopSignal: new Promise(() => {}) });
    return { code, out, err };
  };
}
