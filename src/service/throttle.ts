/**
 * Brute-force throttling of password sign-ins, shared by every path that checks a password
 * (Basic, SoPrincipal AuthenticateUsernamePassword, the dashboard's Login).
 *
 * Failures are counted per attempted username (lower-cased, whether or not such a user exists,
 * so the answers cannot tell names apart) and per client address. The `lockAfter`th failure
 * of a key locks it for `baseLockMs`, each further one for twice as long, up to `maxLockMs`. Attempts refused while locked are not counted, so a user locked out by someone
 * else is free again when the lock lapses. A success clears the username's count, never the
 * address's (one valid account must not reset an address's guesses). Counts are forgotten
 * `windowMs` after the last failure. The state is in memory, per node, and bounded in size.
 */
import { PresenceError } from "../domain/errors.ts";

export interface ThrottleLimits {
  /** The failure that locks the key for the first time (5: the fifth). */
  lockAfter: number;
  /** The first lock; each further failure doubles it. */
  baseLockMs: number;
  maxLockMs: number;
  /** A key with no failure for this long starts from zero. */
  windowMs: number;
}

export interface ThrottleOptions {
  user: ThrottleLimits;
  address: ThrottleLimits;
  /** Keys remembered at most (per kind); the oldest are forgotten first. */
  maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  user: { lockAfter: 5, baseLockMs: 1_000, maxLockMs: 15 * 60_000, windowMs: 15 * 60_000 },
  address: { lockAfter: 30, baseLockMs: 1_000, maxLockMs: 15 * 60_000, windowMs: 15 * 60_000 },
  maxKeys: 100_000,
};

interface Entry {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

class Counter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly maxKeys: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Milliseconds until the key may try again; 0 when it may now. */
  wait(key: string, now: number): number {
    const entry = this.current(key, now);
    return entry ? Math.max(0, entry.lockedUntil - now) : 0;
  }

  fail(key: string, now: number): void {
    const entry = this.current(key, now) ?? { failures: 0, lastFailureAt: now, lockedUntil: 0 };
    entry.failures++;
    entry.lastFailureAt = now;
    const over = entry.failures - this.limits.lockAfter;
    if (over >= 0) {
      const lock = Math.min(
        this.limits.maxLockMs,
        this.limits.baseLockMs * 2 ** Math.min(over, 30),
      );
      entry.lockedUntil = now + lock;
    }
    // Re-inserted so the map stays in order of last failure: the oldest go first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    // Past the bound the oldest failures are forgotten (the map is in order of last failure).
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxKeys) break;
      this.entries.delete(oldest);
    }
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  private current(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailureAt > this.limits.windowMs && entry.lockedUntil <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

export class LoginThrottle {
  private readonly users: Counter;
  private readonly addresses: Counter;

  constructor(
    readonly options: ThrottleOptions = DEFAULT_THROTTLE,
    private readonly clock: () => number = Date.now,
  ) {
    this.users = new Counter(options.user, options.maxKeys);
    this.addresses = new Counter(options.address, options.maxKeys);
  }

  /** Throws PRES_ERR_THROTTLED (429, with `retryAfter` in seconds) while either key is locked. */
  check(username: string, address: string | undefined): void {
    const now = this.clock();
    const wait = Math.max(
      this.users.wait(userKey(username), now),
      address ? this.addresses.wait(address, now) : 0,
    );
    if (wait > 0)
      throw new PresenceError("PRES_ERR_THROTTLED", { retryAfter: Math.ceil(wait / 1000) });
  }

  failed(username: string, address: string | undefined): void {
    const now = this.clock();
    this.users.fail(userKey(username), now);
    if (address) this.addresses.fail(address, now);
  }

  succeeded(username: string): void {
    this.users.clear(userKey(username));
  }

  /** Keys held (for tests and metrics). */
  get size(): { users: number; addresses: number } {
    return { users: this.users.size, addresses: this.addresses.size };
  }
}

function userKey(username: string): string {
  return username.trim().toLowerCase();
}
