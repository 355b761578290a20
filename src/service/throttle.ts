/**
 * Brute-force throttling of password sign-ins, shared by every path that checks a password
 * (Basic, SoPrincipal AuthenticateUsernamePassword, the dashboard's Login).
 *
 * Failures are counted per attempted username (its canonical form, whether or not such a user
 * exists, so the answers cannot tell names apart) and per client address. The `lockAfter`th
 * failure of a key locks it for `baseLockMs`, each further one for twice as long, up to
 * `maxLockMs`. Attempts refused while locked are not counted, so a user locked out by someone
 * else is free again when the lock lapses. A success clears the username's count, never the
 * address's (one valid account must not reset an address's guesses). Counts are forgotten
 * `windowMs` after the last failure. The state is in memory, per node, and bounded in size.
 *
 * An attempt takes a slot before its password is hashed and holds it until the verdict, so
 * attempts in flight count as failures to be: however many arrive at once, no more than
 * `lockAfter` are ever checked for a key before its lock applies (one at a time once it has
 * been locked). Taking the slots of both keys is one synchronous step, so it is atomic.
 */

import { createHash } from "node:crypto";
import { PresenceError } from "../domain/errors.ts";
import { canonicalUsername } from "../domain/username.ts";

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

/** The throttle as an operator sets it (`serve --signin-*`); the window stays 15 minutes. */
export interface SignInLimits {
  /** Failures per username before it is locked (default 5). */
  perUser: number;
  /** Failures per client address before it is locked (default 30). */
  perAddress: number;
  /** The first lock (default 1 s); each further failure doubles it. */
  lockMs: number;
  /** The longest lock (default 15 min). */
  maxLockMs: number;
}

export function throttleOptions(limits: Partial<SignInLimits> = {}): ThrottleOptions {
  const { user, address } = DEFAULT_THROTTLE;
  const lock = {
    baseLockMs: limits.lockMs ?? user.baseLockMs,
    maxLockMs: Math.max(limits.maxLockMs ?? user.maxLockMs, limits.lockMs ?? 0),
  };
  return {
    ...DEFAULT_THROTTLE,
    user: { ...user, ...lock, lockAfter: Math.max(1, limits.perUser ?? user.lockAfter) },
    address: {
      ...address,
      ...lock,
      lockAfter: Math.max(1, limits.perAddress ?? address.lockAfter),
    },
  };
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
  /** Attempts holding a slot: being checked now. */
  pending: number;
}

/** One reserved attempt; exactly one of its methods is called, once the verdict is known. */
export interface SignInAttempt {
  succeeded(): void;
  failed(): void;
  /** Neither verdict (the check itself could not be made): the slot is given back uncounted. */
  abandoned(): void;
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

  /** Milliseconds until the key may try again; 0 when a slot is free now. */
  wait(key: string, now: number): number {
    const entry = this.current(key, now);
    if (!entry) return 0;
    if (entry.lockedUntil > now) return entry.lockedUntil - now;
    // Below the limit every failure still to come may be in flight at once; past it (after a
    // lock lapsed) one at a time, since the next failure locks again.
    const slots = Math.max(1, this.limits.lockAfter - entry.failures);
    return entry.pending >= slots ? this.lockFor(entry.failures + entry.pending) : 0;
  }

  take(key: string, now: number): void {
    const entry = this.current(key, now) ?? this.insert(key, now);
    entry.pending++;
  }

  /** Gives back a slot; counts a failure unless `counted` is false. */
  give(key: string, now: number, counted: boolean): void {
    const entry = this.entries.get(key) ?? this.insert(key, now);
    entry.pending = Math.max(0, entry.pending - 1);
    if (!counted) return;
    entry.failures++;
    entry.lastFailureAt = now;
    if (entry.failures >= this.limits.lockAfter)
      entry.lockedUntil = now + this.lockFor(entry.failures);
    // Re-inserted so the map stays in order of last failure: the oldest go first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.evict();
  }

  clear(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    if (entry.pending > 0) Object.assign(entry, { failures: 0, lockedUntil: 0 });
    else this.entries.delete(key);
  }

  /** The lock the `failures`th failure earns. */
  private lockFor(failures: number): number {
    const over = Math.max(0, failures - this.limits.lockAfter);
    return Math.min(this.limits.maxLockMs, this.limits.baseLockMs * 2 ** Math.min(over, 30));
  }

  private insert(key: string, now: number): Entry {
    const entry: Entry = { failures: 0, lastFailureAt: now, lockedUntil: 0, pending: 0 };
    this.entries.set(key, entry);
    this.evict();
    return entry;
  }

  /** Past the bound the oldest are forgotten, never one with an attempt in flight. */
  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxKeys) break;
      if (entry.pending === 0) this.entries.delete(key);
    }
  }

  private current(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (
      entry &&
      entry.pending === 0 &&
      now - entry.lastFailureAt > this.limits.windowMs &&
      entry.lockedUntil <= now
    ) {
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

  /**
   * Takes a slot for a sign-in attempt under both keys, or throws PRES_ERR_THROTTLED (429, with
   * `retryAfter` in seconds) while either key is locked or has every slot taken by attempts in
   * flight. No await between the check and the taking: two attempts cannot both see a free slot.
   */
  begin(username: string, address: string | undefined): SignInAttempt {
    const now = this.clock();
    const user = throttleKey(username);
    const wait = Math.max(
      this.users.wait(user, now),
      address ? this.addresses.wait(address, now) : 0,
    );
    if (wait > 0)
      throw new PresenceError("PRES_ERR_THROTTLED", { retryAfter: Math.ceil(wait / 1000) });
    this.users.take(user, now);
    if (address) this.addresses.take(address, now);
    let done = false;
    const finish = (outcome: "succeeded" | "failed" | "abandoned") => {
      if (done) return;
      done = true;
      const at = this.clock();
      this.users.give(user, at, outcome === "failed");
      if (address) this.addresses.give(address, at, outcome === "failed");
      if (outcome === "succeeded") this.users.clear(user);
    };
    return {
      succeeded: () => finish("succeeded"),
      failed: () => finish("failed"),
      abandoned: () => finish("abandoned"),
    };
  }

  /** Keys held (for tests and metrics). */
  get size(): { users: number; addresses: number } {
    return { users: this.users.size, addresses: this.addresses.size };
  }
}

/** Longer canonical names are kept by their hash, so 100,000 keys stay small whatever is sent. */
const LONGEST_KEY = 128;

/** The key failures of a username count under: its canonical form, bounded in length. */
export function throttleKey(username: string): string {
  const canonical = canonicalUsername(username);
  if (canonical.length <= LONGEST_KEY) return canonical;
  return `#${createHash("sha256").update(canonical).digest("base64url")}`;
}
