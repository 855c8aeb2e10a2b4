// The boot-from-flash runner (test/helpers/flash-runner.ts) on the real
// interpreter: files arrive in Storage byte for byte, the bundle boots from
// the same stub a flash writes, the prelude runs first, steps run in time
// order at global scope, and a run that does not end is reported, not hung.
import { describe, expect, it } from 'vitest';
import { bootStub, firmwareFileName } from '../provisioner/flash/procedure.ts';
import { bootFromFlash, consoleLines } from './helpers/flash-runner.ts';
import { ESPRUINO_64 } from './helpers/interpreter.ts';
import { requires } from './helpers/requires.ts';

requires('espruino-64');
const INTERPRETER = ESPRUINO_64!;
const BUNDLE = 'var booted = [typeof STANDIN, require("Storage").read("cfg.json")]; setInterval(function () {}, 1000);';

describe('bootFromFlash', () => {
  it('boots the bundle through the flash stub, with its files and the prelude before it', async () => {
    const binary = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    const out = await bootFromFlash({
      interpreter: INTERPRETER,
      bundle: BUNDLE,
      files: { 'cfg.json': '{"lang":"de","agent":"Jörg"}', 'bytes.bin': binary },
      prelude: 'var STANDIN = {};',
      after: [
        { atMs: 200, code: 'print("LATER", JSON.stringify(booted))' },
        { atMs: 100, code: 'var S = require("Storage"); print("FIRST", S.read(".bootcde"), E.CRC32(S.read("bytes.bin")) >>> 0)' },
      ],
      timeoutMs: 10_000,
    });
    const lines = consoleLines(out).filter((l) => /^(FIRST|LATER) /.test(l));
    const crc = (await import('node:zlib')).crc32(binary) >>> 0;
    expect(lines).toEqual([
      `FIRST ${bootStub(firmwareFileName(Buffer.from(BUNDLE)))} ${crc}`,
      // Storage hands back the UTF-8 bytes the flash wrote, one character each.
      `LATER ["object","{\\"lang\\":\\"de\\",\\"agent\\":\\"J\\u00C3\\u00B6rg\\"}"]`,
    ]);
  });

  it('kills a run still going at timeoutMs and says so', async () => {
    await expect(bootFromFlash({ interpreter: INTERPRETER, bundle: BUNDLE, untilMs: 5000, timeoutMs: 500 })).rejects.toThrow(/still running after the time allowed/);
  });
});
