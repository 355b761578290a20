/**
 * What AuthService remembers between requests: resolved tickets, tokens and sessions (by the
 * SHA-256 of the secret) and verified Basic headers. Both are bounded, and both drop a user's
 * entries at once when told the user changed (role, password, name or deletion), here or on
 * another node.
 */
import type { Actor } from "../domain/presence.ts";
import type { CredentialKind } from "../store/credentials.ts";
import { sha256 } from "./secrets.ts";

const CACHE_LIMIT = 10_000;

/** An Authorization header's scheme (lower case) and its value. */
export function splitAuthorization(header: string): { scheme: string; value: string } {
  const space = header.indexOf(" ");
  return {
    scheme: (space < 0 ? header : header.slice(0, space)).toLowerCase(),
    value: space < 0 ? "" : header.slice(space + 1).trim(),
  };
}

const SECRET_SCHEMES = new Map<string, CredentialKind>([
  ["soticket", "ticket"],
  ["bearer", "bearer"],
]);

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

/**
 * Entries trusted until their `until`; at most CACHE_LIMIT of them (all dropped when full).
 * Only what a lookup found while no user changed is kept (see AuthCaches.generation).
 */
class ExpiringMap<T extends { until: number }> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly generation: () => number) {}

  get(key: string, now: number): T | undefined {
    const cached = this.entries.get(key);
    if (cached && cached.until > now) return cached;
    if (cached) this.entries.delete(key);
    return undefined;
  }

  /** Caches what a lookup that began at `generation` found, unless a user changed since. */
  keep(key: string, value: T, generation: number): void {
    if (generation !== this.generation()) return;
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
  /** Tickets, tokens and sessions by the SHA-256 of their secret. */
  readonly credentials = new ExpiringMap<ResolvedCredential>(() => this.generationCount);
  /** Verified Basic headers. */
  readonly basic = new ExpiringMap<VerifiedBasic>(() => this.generationCount);
  /**
   * Bumped by every `forgetUser`. A lookup that began before a bump read the store before the
   * change may have committed, so what it found is not cached (else a stale role could be put
   * back just after it was dropped).
   */
  private generationCount = 0;

  get generation(): number {
    return this.generationCount;
  }

  /** Who a SoTicket or Bearer header signs in as, when a fresh entry holds it; else undefined. */
  callerOf(header: string, now: number): Actor | undefined {
    const { scheme, value } = splitAuthorization(header);
    const kind = SECRET_SCHEMES.get(scheme);
    if (!kind || !value) return undefined;
    const credential = this.credentials.get(sha256(value), now);
    return credential?.kind === kind ? (credential.actor ?? undefined) : undefined;
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
