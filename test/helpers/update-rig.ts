// A two-slot desk in the simulator, laid out as `deskphone flash` lays it
// (hardware/storage-layout.ts), and the host's side of an update driven by
// hand over a real broker: offers and chunks coded by the host codec, the
// desk's UpdateStatus answers decoded in order. The hand-driven host is for
// tests that check the desk's answer to each message one at a time, or send
// what the real command never sends (a chunk with a bad CRC or ahead of its
// offset, an image other than the one offered), or step a desk on the
// simulated clock through many power cuts; an update as a site runs it goes
// through `deskphone update` (update-site.ts).
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import { loadBoard } from '../../hardware/board.ts';
import { Simulator } from '../../hardware/sim/simulator.ts';
import type { SimulatorOptions } from '../../hardware/sim/options.ts';
import { crc32, layoutWithStub, storagePlan } from '../../hardware/storage-layout.ts';
import { decodeMessage, encodeMessage } from '../../protocol/host-codec.ts';
import { downTopic, upTopic } from '../../protocol/topics.ts';
import { buildBoard, DIST_DIR } from '../../firmware/build.ts';
import { packageVersion } from '../../lib/version.ts';
import { UpdateState as St } from '../../protocol/device/enums.generated.ts';
import type { UpdateStatus as Status } from '../../protocol/device/tables.generated.ts';
import { until, type TestBroker } from './link-io.ts';

export { St };

/** A simulator whose Storage holds the flashed layout with `image` (default the built bundle) in slot A; not booted yet. */
export function slottedSim(board: string, config: object, opts: Partial<SimulatorOptions> = {}, image?: Uint8Array): Simulator {
  const sim = new Simulator({ board, clock: 'real', ...opts });
  sim.storage.jsf.eraseAll();
  const plan = storagePlan(loadBoard(board));
  const files = { selector: readFileSync(join(DIST_DIR, board + '.boot.js')), image: image ?? readFileSync(join(DIST_DIR, board + '.js')), version: packageVersion() };
  for (const w of layoutWithStub(plan, files)) sim.storage.put(w.name, w.data, w.offset, w.size);
  sim.storage.put('deskphone.json', JSON.stringify(config));
  return sim;
}

/**
 * A linux desk of an update site (update-site.ts) in the simulator, powered
 * on: flashed with `image` (default this release's bundle) in slot A, dialling
 * the site's broker, or a proxy in front of it on `port`.
 */
export function siteDesk(site: { secrets: Record<string, string>; broker: { tcpPort: number } }, id: string, port = site.broker.tcpPort, image?: Uint8Array): Simulator {
  const config = { v: 3, id, board: 'linux', host: '127.0.0.1', port, pass: site.secrets[id], lang: 'de', digits: 12 };
  return slottedSim('linux', config, {}, image).boot();
}

/** The version of the tests' newer image: files that ask for it share one build. */
export const NEXT_VERSION = '9.9.9-next';

/**
 * A newer firmware image for a board: the real bundle built (in `outDir`) with
 * another version. Kept in firmware/dist/next/ for the other test files that
 * ask for the same version, keyed by the built bundle's CRC-32 (the global
 * setup rebuilds it: a source change changes it).
 */
export async function newerImage(board: string, outDir: string, version: string): Promise<{ image: Buffer; version: string }> {
  const cached = join(DIST_DIR, 'next', `${board}-${version}-${crc32(readFileSync(join(DIST_DIR, board + '.js'))).toString(16)}.js`);
  if (!existsSync(cached)) {
    const b = await buildBoard(loadBoard(board), { outDir, version, quiet: true, log: () => undefined });
    mkdirSync(dirname(cached), { recursive: true });
    // another file may build the same at once: each renames a whole file into place
    copyFileSync(b.file, b.file + '.next');
    renameSync(b.file + '.next', cached);
  }
  return { image: readFileSync(cached), version };
}

/** The host's side, by hand: publishes offers and chunks to one station, collects its UpdateStatus answers. */
export async function updateHost(broker: TestBroker, station: string) {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...broker.host, clientId: broker.host.username + '-upd-' + station, reconnectPeriod: 0 });
  const got: Status[] = [];
  client.on('message', (_t, payload) => got.push(decodeMessage('UpdateStatus', payload) as unknown as Status));
  await client.subscribeAsync(upTopic(station, 'update'), { qos: 1 });
  let seen = 0;
  // The last chunk carries the version and health time of the image offered last, as the host's does.
  let offered = { version: '', healthS: 30 };
  const host = {
    got,
    offer: (image: Uint8Array, version: string, over: { healthS?: number } = {}) => {
      offered = { version, healthS: over.healthS ?? 30 };
      return client.publishAsync(downTopic(station, 'offer'), Buffer.from(encodeMessage('UpdateOffer', { id: 'run-1', version, size: image.length, crc32: crc32(image), sha256: '', chunkSize: 1024, healthS: 30, ...over })), { qos: 1 });
    },
    chunk: (image: Uint8Array, offset: number, n = 1024, over: object = {}) => {
      const data = image.subarray(offset, offset + n);
      const last = offset + data.length >= image.length;
      return client.publishAsync(
        downTopic(station, 'chunk'),
        Buffer.from(encodeMessage('UpdateChunk', { offset, data, crc32: crc32(data), size: image.length, imageCrc32: crc32(image), id: 'run-1', ...(last ? offered : {}), ...over })),
        { qos: 1 },
      );
    },
    /** The next status not yet taken. */
    async next(what: string, ms = 15000): Promise<Status> {
      await until(() => got.length > seen, what, ms);
      return got[seen++]!;
    },
    /** Sends chunks from `from` as the desk asks for them, until it says VERIFIED or something else than RECEIVING. */
    async send(image: Uint8Array, from: number, n = 1024): Promise<Status> {
      let at = from;
      for (;;) {
        await host.chunk(image, at, n);
        const s = await host.next(`the answer to the chunk at ${at}`);
        if (s.state !== St.RECEIVING) return s;
        at = s.offset;
      }
    },
    end: () => client.endAsync(true),
  };
  return host;
}
