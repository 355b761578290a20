/**
 * What AuthService remembers between requests: resolved tickets, tokens and sessions (by the
 * SHA-256 of the secret) and verified Basic headers. Both are bounded, and both drop a user's
 * entries at once when told the user changed (role, password, name or deletion), here or on
 * another node.
 */
import type { Actor } from "../domain/presence.ts";
import type { CredentialKind } from "../store/credentials.ts";

const CACHE_LIMIT = 10_000;

/** A ticket, token or session found in the store, with the user it signs in as. */
export interface ResolvedCredential {
  kind: CredentialKind;
  xsrfHash: string | null;
  /** Null when the credential is valid but its user no longer exists. */
  actor: Actor | null;
  /** Trusted until then (never past the credential's own expiry). */
  until: number;
}

export interface VerifiedBasic {
  passwordHash: string;
  userId: number;
  until: number;
}

export class AuthCaches {
  private readonly credentials = new Map<string, ResolvedCredential>();
  private readonly basic = new Map<string, VerifiedBasic>();
  /**
   * Bumped by every `forgetUser`. A lookup that began before a bump read the store before the
   * change may have committed, so what it found is not cached (else a stale role could be put
   * back just after it was dropped).
   */
  private generationCount = 0;

  get generation(): number {
    return this.generationCount;
  }

  credential(hash: string, now: number): ResolvedCredential | undefined {
    const cached = this.credentials.get(hash);
    if (cached && cached.until > now) return cached;
    if (cached) this.credentials.delete(hash);
    return undefined;
  }

  /** Caches a lookup that began at `generation`, unless a user changed since. */
  keepCredential(hash: string, resolved: ResolvedCredential, generation: number): void {
    if (generation !== this.generationCount) return;
    if (this.credentials.size >= CACHE_LIMIT) this.credentials.clear();
    this.credentials.set(hash, resolved);
  }

  forgetCredential(hash: string): void {
    this.credentials.delete(hash);
  }

  verifiedBasic(key: string, now: number): VerifiedBasic | undefined {
    const cached = this.basic.get(key);
    if (cached && cached.until > now) return cached;
    if (cached) this.basic.delete(key);
    return undefined;
  }

  keepBasic(key: string, verified: VerifiedBasic, generation: number): void {
    if (generation !== this.generationCount) return;
    if (this.basic.size >= CACHE_LIMIT) this.basic.clear();
    this.basic.set(key, verified);
  }

  forgetBasic(key: string): void {
    this.basic.delete(key);
  }

  /** Drops every cached credential and Basic header of the user (of everyone for null). */
  forgetUser(userId: number | null): void {
    this.generationCount++;
    if (userId === null) {
      this.credentials.clear();
      this.basic.clear();
      return;
    }
    for (const [hash, credential] of this.credentials)
      if (credential.actor?.userId === userId) this.credentials.delete(hash);
    for (const [key, cached] of this.basic) if (cached.userId === userId) this.basic.delete(key);
  }
}
