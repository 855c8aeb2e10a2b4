// The image `deskphone update` sends: a firmware bundle and the manifest the
// build writes beside it (firmware/dist/<board>.json: board, version, bytes,
// CRC-32, SHA-256). The bundle's bytes are checked against the manifest, so a
// bundle edited or half-copied after the build is refused before any desk
// sees an offer.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { boardNames } from '../../hardware/board.ts';
import { DIST_DIR } from '../../firmware/build.ts';
import { UserError } from '../../lib/user-error.ts';

export interface FirmwareImage {
  board: string;
  version: string;
  bytes: Buffer;
  crc32: number;
  sha256: string;
  /** The bundle file it was read from. */
  file: string;
  /** The recovery's second stage for the board (<board>.rec.js beside the bundle), sent to a one-slot desk in its recovery; null if the build made none. */
  recovery: Buffer | null;
  recoveryFile: string;
}

const Manifest = z.object({
  board: z.string().min(1),
  version: z.string().min(1).max(64),
  bytes: z.number().int().positive(),
  crc32: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** `--firmware`: a board name (its bundle in firmware/dist) or a bundle file with its manifest beside it. */
export function loadImage(firmware: string, distDir = DIST_DIR): FirmwareImage {
  const isBoard = boardNames().includes(firmware) && !existsSync(firmware);
  const file = isBoard ? join(distDir, `${firmware}.js`) : firmware;
  const manifestFile = join(dirname(file), basename(file).replace(/\.js$/, '') + '.json');
  if (!existsSync(file)) {
    throw isBoard
      ? new UserError(`no firmware bundle for board ${firmware} (${file})`, 'build it with `npm run build` (or `deskphone build`), then run the update again')
      : new UserError(`no such firmware file: ${file}`, `give a bundle file or a board name (${boardNames().join(', ')})`);
  }
  if (!existsSync(manifestFile)) throw new UserError(`no manifest beside ${file} (expected ${manifestFile})`, 'use a bundle from `npm run build`, which writes <board>.json beside <board>.js');
  let manifest: z.infer<typeof Manifest>;
  try {
    manifest = Manifest.parse(JSON.parse(readFileSync(manifestFile, 'utf8')));
  } catch (err) {
    throw new UserError(`the manifest ${manifestFile} is not one the build writes: ${(err as Error).message.split('\n')[0]}`, 'rebuild the firmware with `npm run build`');
  }
  if (!boardNames().includes(manifest.board)) throw new UserError(`the manifest ${manifestFile} names an unknown board "${manifest.board}"`, `rebuild the firmware with \`npm run build\` (boards: ${boardNames().join(', ')})`);
  const bytes = readFileSync(file);
  const recoveryFile = join(dirname(file), basename(file).replace(/\.js$/, '') + '.rec.js');
  const recovery = existsSync(recoveryFile) ? readFileSync(recoveryFile) : null;
  const image = { board: manifest.board, version: manifest.version, bytes, crc32: crc32(bytes), sha256: createHash('sha256').update(bytes).digest('hex'), file, recovery, recoveryFile };
  const mismatch = [
    bytes.length !== manifest.bytes && `${bytes.length} bytes (manifest: ${manifest.bytes})`,
    image.crc32 !== manifest.crc32 && 'CRC-32',
    image.sha256 !== manifest.sha256 && 'SHA-256',
  ].filter(Boolean);
  if (mismatch.length) throw new UserError(`${file} does not match its manifest: ${mismatch.join(', ')} differ`, 'the bundle changed after the build or was copied in part: rebuild it, or copy both files again');
  return image;
}
