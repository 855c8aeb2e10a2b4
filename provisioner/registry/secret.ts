import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

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
 * How a secret is stored: `hmac-sha256$<salt b64url>$<mac b64url>`, the
 * HMAC-SHA-256 of the secret keyed with 16 random bytes of its own.
 *
 * A slow KDF (scrypt, until issue 18) protects low-entropy passwords from
 * being guessed offline from a stolen database. These secrets are 192-bit
 * random values: nothing enumerates 2^192 candidates, slowed down or not, so
 * the work factor bought nothing but a scrypt per login (5,000 desks coming
 * back after a broker restart queued for minutes). What the stored value must
 * do is keep a copied database from opening the broker (HMAC is one-way) and
 * let equal secrets look different (the salt). See SECURITY.md.
 */
const SCHEME = 'hmac-sha256';
const SALT_BYTES = 16;

function mac(secret: string, salt: Buffer): Buffer {
  return createHmac('sha256', salt).update(secret, 'utf8').digest();
}

export function hashSecret(secret: string): string {
  const salt = randomBytes(SALT_BYTES);
  return [SCHEME, salt.toString('base64url'), mac(secret, salt).toString('base64url')].join('$');
}

/** True for a hash of an older scheme: the registry stores the secret afresh after its next successful check. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith(SCHEME + '$');
}

function scryptAsync(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, 32, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Checks a secret against what the registry stored: the current scheme, or `scrypt$N$r$p$<salt>$<key>` from before issue 18. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  let expected: Buffer;
  let actual: Buffer;
  if (parts.length === 3 && parts[0] === SCHEME) {
    expected = Buffer.from(parts[2], 'base64url');
    actual = mac(secret, Buffer.from(parts[1], 'base64url'));
  } else if (parts.length === 6 && parts[0] === 'scrypt') {
    const [N, r, p] = parts.slice(1, 4).map(Number);
    expected = Buffer.from(parts[5], 'base64url');
    actual = await scryptAsync(secret, Buffer.from(parts[4], 'base64url'), { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  } else {
    return false;
  }
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
