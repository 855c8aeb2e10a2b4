// A run of `deskphone update`: resumed when the same image's last run did not
// finish (the host stopped or crashed), else a new one. Canaries are chosen
// among the desks the registry last saw online, so the rollout does not wait
// on one that is away.
import { randomBytes } from 'node:crypto';
import type { Station } from '../registry/index.ts';
import type { FirmwareImage } from './image.ts';
import type { RunRecord, TargetRecord, UpdateStore } from './store.ts';

export interface PreparedRun {
  run: RunRecord;
  targets: TargetRecord[];
  resumed: boolean;
}

function newTarget(s: Station, canary: boolean, now: number): TargetRecord {
  return { station: s.id, canary, state: 'waiting', offset: 0, fromVersion: s.firmware, detail: '', updatedMs: now };
}

export function prepareRun(store: UpdateStore, image: FirmwareImage, stations: Station[], canaries: number, now = Date.now()): PreparedRun {
  const open = store.openRun(image.sha256);
  if (open) {
    const known = new Set(store.targets(open.id).map((t) => t.station));
    const added = stations.filter((s) => !known.has(s.id)).map((s) => newTarget(s, false, now));
    store.addTargets(open.id, added);
    return { run: open, targets: store.targets(open.id), resumed: true };
  }
  const stamp = new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  // two runs of one image may start within a second (the first found every desk current)
  const run: RunRecord = { id: `u${stamp}-${image.crc32.toString(16).padStart(8, '0')}-${randomBytes(2).toString('hex')}`, board: image.board, version: image.version, bytes: image.bytes.length, crc32: image.crc32, sha256: image.sha256, startedMs: now, finishedMs: 0 };
  const byPreference = [...stations].sort((a, b) => Number(b.online) - Number(a.online) || a.id.localeCompare(b.id));
  const canarySet = new Set(byPreference.slice(0, canaries).map((s) => s.id));
  const targets = stations.map((s) => newTarget(s, canarySet.has(s.id), now));
  store.createRun(run, targets);
  return { run, targets: store.targets(run.id), resumed: false };
}
