// A directory that answers 200 with a body that is not JSON: the lookup is "unavailable", and the reason kept in the audit quotes none of the body.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DirectoryUnavailableError, HttpDirectory } from '../provisioner/service/directory.ts';

let crm: Server;
let directory: HttpDirectory;

beforeAll(async () => {
  crm = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('Max Mustermann, Hauptstraße 1, 10115 Berlin'));
  await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
  directory = new HttpDirectory({ urlTemplate: `http://127.0.0.1:${(crm.address() as AddressInfo).port}/accounts/{account}` });
});
afterAll(() => new Promise<void>((resolve) => crm.close(() => resolve())));

it('says the answer is not JSON without quoting it', async () => {
  const failure = await directory.lookup('100000000001', new AbortController().signal).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(DirectoryUnavailableError);
  expect((failure as Error).message).toBe('directory answer is not JSON');
});
