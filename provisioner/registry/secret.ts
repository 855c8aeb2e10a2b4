import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Station and service secrets: 24 random bytes, base64url (32 characters, no
 * padding), short enough to type from a label and far beyond guessing. Never
 * with a leading "-" (1 in 64 draws): a spreadsheet would take it for a
 * formula, and the CSV writer would have to change the secret to prevent that.
 */
export function newSecret(): string {
  for (;;) {
    const secret = randomBytes(24).toString('base64url');
    if (!secret.startsWith('-')) return secret;
  }
}

/**
 * scrypt cost. The secrets are 192-bit random values, so the work factor is
 * not what keeps them safe (nothing brute-forces 2^192); the salted hash is
 * there so a copied database file does not open the broker. A moderate N keeps
 * 2,000 desks reconnecting after a broker restart from queueing for minutes.
 * The parameters are stored in every hash, so raising them later only
 * affects new and rotated secrets.
 */
export const DEFAULT_SCRYPT = { N: 2048, r: 8, p: 1 };

const KEY_LENGTH = 32;

function scryptAsync(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$<salt b64url>$<key b64url>`: self-describing, so cost can change per hash. */
export async function hashSecret(secret: string, cost = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await scryptAsync(secret, Buffer.from(parts[4], 'base64url'), { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
