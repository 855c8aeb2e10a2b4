// The dashboard on an address already in use fails and lets go of everything it started (`deskphone up --http <busy>` used to hang after its error).
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CardSource } from '../provisioner/dashboard/card.ts';
import { fixedPages } from './helpers/card-source.ts';
import { startDashboard } from '../provisioner/dashboard/server.ts';

let busy: Server;
let port: number;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  port = (busy.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

it('rejects with EADDRINUSE and drops its subscription to the cards', async () => {
  let subscribers = 0;
  const source: CardSource = {
    cards: () => [],
    subscribe: () => {
      subscribers++;
      return () => void subscribers--;
    },
    press: () => false,
    ...fixedPages(() => []),
  };
  await expect(startDashboard({ host: '127.0.0.1', port, source })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  expect(subscribers).toBe(0);
});

it('deskphone up --http on a busy address says so and exits 1', () => {
  const home = mkdtempSync(join(tmpdir(), 'deskphone-busy-http-'));
  try {
    // The timeout only ends a hang (the old behaviour) so the test fails instead of blocking the suite.
    const run = spawnSync(process.execPath, ['bin/deskphone.js', 'up', '--http', `127.0.0.1:${port}`, '--listen', '127.0.0.1:0'], {
      env: { ...process.env, DESKPHONE_HOME: home },
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    expect(run.stderr).toContain(`error: the dashboard address 127.0.0.1:${port} is already in use`);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}, 40_000);
