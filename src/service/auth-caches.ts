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

/** Entries trusted until their `until`; at most CACHE_LIMIT of them (all dropped when full). */
class ExpiringMap<T extends { until: number }> {
  private readonly entries = new Map<string, T>();

  get(key: string, now: number): T | undefined {
    const cached = this.entries.get(key);
    if (cached && cached.until > now) return cached;
    if (cached) this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T): void {
    if (this.entries.size >= CACHE_LIMIT) this.entries.clear();
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops the entries `matches` picks, or every entry without it. */
  clear(matches?: (value: T) => boolean): void {
    if (!matches) this.entries.clear();
    else for (const [key, value] of this.entries) if (matches(value)) this.entries.delete(key);
  }
}

export class AuthCaches {
  private readonly credentials = new ExpiringMap<ResolvedCredential>();
  private readonly basic = new ExpiringMap<VerifiedBasic>();
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
    return this.credentials.get(hash, now);
  }

  /** Caches a lookup that began at `generation`, unless a user changed since. */
  keepCredential(hash: string, resolved: ResolvedCredential, generation: number): void {
    if (generation === this.generationCount) this.credentials.set(hash, resolved);
  }

  forgetCredential(hash: string): void {
    this.credentials.delete(hash);
  }

  verifiedBasic(key: string, now: number): VerifiedBasic | undefined {
    return this.basic.get(key, now);
  }

  /** Caches a verification that began at `generation`, unless a user changed since. */
  keepBasic(key: string, verified: VerifiedBasic, generation: number): void {
    if (generation === this.generationCount) this.basic.set(key, verified);
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
    this.credentials.clear((credential) => credential.actor?.userId === userId);
    this.basic.clear((cached) => cached.userId === userId);
  }
}
