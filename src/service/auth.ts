/**
 * Who is calling: Basic, SoTicket, Bearer and browser sessions, resolved to an Actor.
 * Shared by REST, Agents and SOAP so every protocol authenticates the same way.
 */
import { PresenceError } from "../domain/errors.ts";
import type { ChatUser } from "../domain/model.ts";
import type { Actor } from "../domain/presence.ts";
import type { CredentialKind } from "../store/credentials.ts";
import type { Store } from "../store/store.ts";
import { AuthCaches, type ResolvedCredential, splitAuthorization } from "./auth-caches.ts";
import {
  decoyPasswordHash,
  randomSecret,
  secretsEqual,
  sha256,
  verifyPassword,
} from "./secrets.ts";
import { LoginThrottle } from "./throttle.ts";

export interface AuthOptions {
  /** SuperOffice Online rules: application token required, Basic refused. */
  online: boolean;
  /** Lifetime of tickets from SoPrincipal and of browser sessions. */
  ticketTtlMs: number;
  /** How long a verified Basic header is trusted without hashing the password again. */
  basicCacheMs: number;
  /**
   * How long a resolved ticket, token or session is trusted without asking the store again
   * (0 turns the cache off). `revoke` and `forgetUser` take effect at once; on PostgreSQL other
   * nodes are told of user and credential changes as they commit (the store's triggers notify the
   * change bus). Only a change the store cannot announce (SQLite written by another process) waits
   * out this time.
   */
  credentialCacheMs: number;
}

export const DEFAULT_AUTH_OPTIONS: AuthOptions = {
  online: false,
  ticketTtlMs: 8 * 3600_000,
  basicCacheMs: 60_000,
  credentialCacheMs: 2_000,
};

const PREFIX: Record<CredentialKind, string> = { ticket: "7T:", bearer: "8A:", session: "" };

export interface BrowserSession {
  session: string;
  xsrf: string;
  actor: Actor;
  expiresAt: number;
}

function toActor(user: ChatUser): Actor {
  return { userId: user.id, username: user.username, role: user.role };
}

function unauthenticated(detail: string): PresenceError {
  return new PresenceError("PRES_ERR_UNAUTHENTICATED", { detail });
}

export class AuthService {
  /** Resolved credentials and verified Basic headers: a busy client costs no query per request. */
  private readonly caches = new AuthCaches();
  /** Passwords hashed and compared since start (decoys for unknown names included). */
  private checkedPasswords = 0;

  constructor(
    private readonly store: Store,
    readonly options: AuthOptions,
    /** Brute-force throttling of every password check (see throttle.ts). */
    readonly throttle: LoginThrottle = new LoginThrottle(),
  ) {}

  /**
   * Resolves an Authorization header value; in online mode also checks the application token.
   * `address` (the client's) is what failed Basic sign-ins are throttled by, besides the name.
   */
  async authenticateHeader(
    header: string | undefined,
    appToken: string | undefined,
    address?: string,
  ): Promise<Actor> {
    if (!header) throw unauthenticated("send an Authorization header (Basic, SoTicket or Bearer)");
    const { scheme, value } = splitAuthorization(header);
    if (this.options.online) await this.requireAppToken(appToken);
    if (scheme === "basic") {
      if (this.options.online)
        throw unauthenticated("Basic is not accepted by an Online installation");
      return this.authenticateBasic(value, header, address);
    }
    if (scheme === "soticket") return this.authenticateSecret(value, "ticket");
    if (scheme === "bearer") return this.authenticateSecret(value, "bearer");
    throw unauthenticated(`the ${scheme} scheme is not supported`);
  }

  /** The caller of a header the credential cache answers, with no promise; else undefined. */
  cachedCaller(header: string): Actor | undefined {
    return this.options.online ? undefined : this.caches.callerOf(header, Date.now());
  }

  async requireAppToken(appToken: string | undefined): Promise<void> {
    if (!appToken || !(await this.store.hasAppToken(sha256(appToken)))) {
      throw new PresenceError("PRES_ERR_APP_TOKEN");
    }
  }

  /** A SoTicket (as SOAP's Credentials/Ticket carries it) resolved to its user. */
  async authenticateTicket(ticket: string): Promise<Actor> {
    return this.authenticateSecret(ticket, "ticket");
  }

  /**
   * Checks a password in constant time; unknown users cost the same as wrong passwords. Throws
   * PRES_ERR_THROTTLED (429) while the name or the address is locked after failures; the lock
   * does not depend on whether the user exists, so it reveals nothing either.
   */
  async verifyUsernamePassword(
    username: string,
    password: string,
    address?: string,
  ): Promise<ChatUser | null> {
    const attempt = this.throttle.begin(username, address);
    try {
      const user = await this.store.getUserByUsername(username);
      const hash = user?.passwordHash ?? (await decoyPasswordHash());
      this.checkedPasswords++;
      const ok = await verifyPassword(password, hash);
      if (ok && user?.passwordHash) {
        attempt.succeeded();
        return user;
      }
      attempt.failed();
      return null;
    } finally {
      // A store that failed mid-check gives no verdict: the slot is given back uncounted.
      attempt.abandoned();
    }
  }

  /** How many passwords were hashed and compared since start (for metrics and tests). */
  get passwordChecks(): number {
    return this.checkedPasswords;
  }

  /**
   * Drops everything cached about a user, so a changed role, password or name, or a deletion,
   * takes effect on the next request. Called by the node that made the change and, through the
   * change bus, by every other node (null: anyone, when the bus may have missed changes).
   */
  forgetUser(userId: number | null): void {
    this.caches.forgetUser(userId);
  }

  /**
   * The user of a bearer token (`8A:…`), as SoPrincipal's AuthenticateWithAccessToken
   * exchanges one for a ticket; null for a token that is unknown, expired or not a bearer.
   */
  async userOfBearer(token: string): Promise<ChatUser | null> {
    const credential = token ? await this.resolve(sha256(token)) : null;
    if (credential?.kind !== "bearer" || !credential.actor) return null;
    return this.store.getUser(credential.actor.userId);
  }

  /** Issues a ticket (`7T:…`) or bearer token (`8A:…`) for a user; only its hash is stored. */
  async issue(
    kind: "ticket" | "bearer",
    userId: number,
    ttlMs = this.options.ticketTtlMs,
  ): Promise<string> {
    const secret = PREFIX[kind] + randomSecret();
    await this.store.saveCredential({
      hash: sha256(secret),
      kind,
      userId,
      expiresAt: Date.now() + ttlMs,
      xsrfHash: null,
    });
    return secret;
  }

  async login(username: string, password: string, address?: string): Promise<BrowserSession> {
    const user = await this.verifyUsernamePassword(username, password, address);
    if (!user) throw unauthenticated("wrong username or password");
    const session = randomSecret(32);
    const xsrf = randomSecret(24);
    const expiresAt = Date.now() + this.options.ticketTtlMs;
    await this.store.saveCredential({
      hash: sha256(session),
      kind: "session",
      userId: user.id,
      expiresAt,
      xsrfHash: sha256(xsrf),
    });
    return { session, xsrf, actor: toActor(user), expiresAt };
  }

  /** Revokes a ticket, bearer token or browser session at once (sign-out). */
  async revoke(secret: string): Promise<void> {
    const hash = sha256(secret);
    this.caches.credentials.delete(hash);
    await this.store.deleteCredential(hash);
  }

  /**
   * A browser session from its cookie. State-changing requests must echo the XSRF cookie in
   * X-XSRF-TOKEN: a cross-site page can make the browser send the cookie, but cannot read it.
   */
  async authenticateSession(
    session: string,
    xsrfHeader: string | undefined,
    changesState: boolean,
  ): Promise<Actor> {
    const credential = await this.resolve(sha256(session));
    if (credential?.kind !== "session")
      throw unauthenticated("the session has ended; sign in again");
    if (
      changesState &&
      !(xsrfHeader && credential.xsrfHash && secretsEqual(sha256(xsrfHeader), credential.xsrfHash))
    ) {
      throw new PresenceError("PRES_ERR_XSRF");
    }
    return this.actorOf(credential);
  }

  private async authenticateSecret(secret: string, kind: "ticket" | "bearer"): Promise<Actor> {
    const credential = secret ? await this.resolve(sha256(secret)) : null;
    const name = kind === "ticket" ? "ticket" : "token";
    if (credential?.kind !== kind) throw unauthenticated(`the ${name} is unknown or has expired`);
    return this.actorOf(credential);
  }

  /** A credential and its user by hash: from the cache while fresh, else from the store. */
  private async resolve(hash: string): Promise<ResolvedCredential | null> {
    const now = Date.now();
    const cached = this.caches.credentials.get(hash, now);
    if (cached) return cached;
    const generation = this.caches.generation;
    const credential = await this.store.findCredential(hash, now);
    if (!credential) return null;
    const user = await this.store.getUser(credential.userId);
    const resolved: ResolvedCredential = {
      kind: credential.kind,
      xsrfHash: credential.xsrfHash,
      // Shared by every request the cache answers, so frozen.
      actor: user ? Object.freeze(toActor(user)) : null,
      until: Math.min(credential.expiresAt, now + this.options.credentialCacheMs),
    };
    if (resolved.actor && this.options.credentialCacheMs > 0)
      this.caches.credentials.keep(hash, resolved, generation);
    return resolved;
  }

  private actorOf(credential: ResolvedCredential): Actor {
    if (!credential.actor) throw unauthenticated("the user no longer exists");
    return credential.actor;
  }

  /**
   * Admin revoke: ends every ticket, bearer token and browser session of a user at once, on
   * this node straight away and on others as soon as the change bus tells them.
   */
  async revokeAllOf(userId: number): Promise<void> {
    this.caches.forgetUser(userId);
    await this.store.deleteCredentialsOf(userId);
  }

  private async authenticateBasic(value: string, header: string, address?: string): Promise<Actor> {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw unauthenticated("Basic credentials must be base64 of username:password");
    const key = sha256(header);
    const cached = this.caches.basic.get(key, Date.now());
    if (cached) {
      const user = await this.store.getUser(cached.userId);
      // A changed password changes the hash, which drops the cached credential at once.
      if (user && user.passwordHash === cached.passwordHash) return toActor(user);
      this.caches.basic.delete(key);
    }
    const generation = this.caches.generation;
    const user = await this.verifyUsernamePassword(
      decoded.slice(0, colon),
      decoded.slice(colon + 1),
      address,
    );
    if (!user?.passwordHash) throw unauthenticated("wrong username or password");
    this.caches.basic.keep(
      key,
      {
        passwordHash: user.passwordHash,
        userId: user.id,
        until: Date.now() + this.options.basicCacheMs,
      },
      generation,
    );
    return toActor(user);
  }
}
