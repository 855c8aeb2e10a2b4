import type { Db } from '../db.ts';
import { migrateService } from './store.ts';

/** The short display fields a LookupResult carries; nothing more leaves the directory. */
export interface DirectoryEntry {
  name: string;
  street: string;
  place: string;
  openItems: number;
  openCents: number;
}

/** The backend failed, timed out, or answered nonsense; the station is told DIRECTORY_UNAVAILABLE. */
export class DirectoryUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryUnavailableError';
  }
}

/** Where account lookups go. `lookup` resolves null for an unknown account. */
export interface Directory {
  readonly source: string;
  lookup(account: string, signal: AbortSignal): Promise<DirectoryEntry | null>;
}

/** The directory imported from CSV into svc_account (`deskphone accounts import`). */
export class SqliteDirectory implements Directory {
  readonly source = 'sqlite';
  private readonly select;

  constructor(db: Db) {
    migrateService(db);
    this.select = db.prepare('SELECT name, street, place, open_items AS openItems, open_cents AS openCents FROM svc_account WHERE account = ?');
  }

  async lookup(account: string): Promise<DirectoryEntry | null> {
    return (this.select.get(account) as DirectoryEntry | undefined) ?? null;
  }
}

export interface HttpDirectoryOptions {
  /** e.g. https://crm.example/accounts/{account}; the number is URL-encoded into it. */
  urlTemplate: string;
  timeoutMs?: number;
  /** Sent as the Authorization header, e.g. "Bearer …". Never logged. */
  authorization?: string;
}

/**
 * A directory behind HTTP: GET the template URL; 200 with JSON
 * {name, street, place, openItems, openCents} is found, 404 not found,
 * anything else (or no answer in time) is unavailable.
 */
export class HttpDirectory implements Directory {
  readonly source: string;

  constructor(private readonly options: HttpDirectoryOptions) {
    if (!options.urlTemplate.includes('{account}')) throw new Error('directory URL template must contain {account}');
    this.source = 'http';
  }

  async lookup(account: string, signal: AbortSignal): Promise<DirectoryEntry | null> {
    const url = this.options.urlTemplate.replace('{account}', encodeURIComponent(account));
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 2500);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: this.options.authorization ? { authorization: this.options.authorization, accept: 'application/json' } : { accept: 'application/json' },
        signal: AbortSignal.any([signal, timeout]),
      });
    } catch (err) {
      throw new DirectoryUnavailableError(`directory request failed: ${(err as Error).message}`);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new DirectoryUnavailableError(`directory answered HTTP ${response.status}`);
    }
    let body: Record<string, unknown>;
    try {
      body = (await response.json()) as Record<string, unknown>;
    } catch {
      // JSON.parse's message quotes the start of the body, which may be a customer's name; the reason goes to the audit.
      throw new DirectoryUnavailableError('directory answer is not JSON');
    }
    if (typeof body !== 'object' || body === null || typeof body.name !== 'string') {
      throw new DirectoryUnavailableError('directory answer has no "name"');
    }
    return {
      name: body.name,
      street: typeof body.street === 'string' ? body.street : '',
      place: typeof body.place === 'string' ? body.place : '',
      openItems: Number.isInteger(body.openItems) ? (body.openItems as number) : 0,
      openCents: Number.isInteger(body.openCents) ? (body.openCents as number) : 0,
    };
  }
}
