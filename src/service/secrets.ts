/** Secrets: random opaque values, their SHA-256 lookup keys, and scrypt password hashes. */
import { createHash, hash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * scrypt N=2^14, r=8, p=1 (16 MiB, about 35 ms on these machines): the cost the Node docs
 * default to, high enough to slow guessing, low enough that sign-in stays quick.
 */
const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * Tickets and tokens are 192-bit random values, so a plain SHA-256 is a safe lookup key:
 * nothing is left to guess, and the stored hash is useless to someone who reads the database.
 */
export function sha256(value: string): string {
  // One-shot: every authenticated request hashes its secret, and a Hash object costs 3x this.
  return hash("sha256", value, "hex");
}

function scryptAsync(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  length: number,
) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, length, { N, r, p, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength);
  return [
    "scrypt",
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString("base64"),
    key.toString("base64"),
  ].join("$");
}

/** Constant-time check of a password against a stored hash; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  const actual = await scryptAsync(
    password,
    Buffer.from(salt, "base64"),
    +n,
    +r,
    +p,
    expected.length,
  );
  return timingSafeEqual(actual, expected);
}

/** A hash to burn the same time on when there is no user, so timing does not reveal names. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomSecret());
  return decoyHash;
}

/** Compares two short secrets (such as XSRF tokens) without leaking where they differ. */
export function secretsEqual(a: string, b: string): boolean {
  const left = createHash("sha256").update(a).digest();
  const right = createHash("sha256").update(b).digest();
  return timingSafeEqual(left, right);
}
