/**
 * Group commit of presence saves, the part both backends share: saves that arrive together are
 * written in one transaction, and each caller hears back only after that commit. A commit costs
 * far more than the rows it writes, so under load this multiplies the save rate without
 * weakening durability. A save naming an unknown user is refused before anything is written,
 * so a refused save needs no savepoint to leave the others untouched.
 */
import { PresenceError } from "../domain/errors.ts";
import type { PresenceEvent, PresenceUpdate } from "../domain/presence.ts";
import type { NewHistoryEntry } from "./history.ts";
import type { PresenceChange, SavedPresence, SaveLog } from "./presence.ts";

/** A save of a batch refused on its own (the others still commit). */
type Refusal = { ok: false; error: unknown };
export type Outcome = { ok: true; value: SavedPresence } | Refusal;
type Plan = { ok: true; changes: PresenceChange[] } | Refusal;

export interface WaitingSave {
  updates: readonly PresenceUpdate[];
  log: SaveLog | undefined;
  resolve: (saved: SavedPresence) => void;
  reject: (error: unknown) => void;
}

/** What one batch writes: who becomes present or absent, deadlines, history entries. */
export interface BatchWrites {
  plans: Plan[];
  /** Users whose Present changes, with the value it takes. */
  written: Map<number, boolean>;
  /** Deadlines to renew: per TTL, the users saved present and the newest save's time. */
  renewals: Map<number | null, { now: number; ids: number[] }>;
  /** History entries of the batch, in save order, and how many each save has. */
  entries: NewHistoryEntry[];
  counts: Map<number, number>;
}

/**
 * Works out, in arrival order, what each save of a batch changes, from one read of the users
 * involved (`present`, updated as it goes, so a later save sees an earlier one's result).
 */
export function planBatch(
  batch: readonly WaitingSave[],
  present: Map<number, boolean>,
): BatchWrites {
  const plans = batch.map((job): Plan => {
    const unknown = job.updates.findIndex((u) => !present.has(u.userId));
    if (unknown >= 0) {
      const { userId } = job.updates[unknown];
      const error = new PresenceError("PRES_ERR_UNKNOWN_USER", { index: unknown, userId });
      return { ok: false, error };
    }
    const changes: PresenceChange[] = [];
    for (const update of job.updates) {
      const before = present.get(update.userId) as boolean;
      if (before !== update.present) {
        changes.push({ userId: update.userId, present: update.present, previousPresent: before });
        present.set(update.userId, update.present);
      }
    }
    return { ok: true, changes };
  });
  const written = new Map<number, boolean>();
  const renewals = new Map<number | null, { now: number; ids: number[] }>();
  const entries: NewHistoryEntry[] = [];
  const counts = new Map<number, number>();
  plans.forEach((plan, i) => {
    const { log, updates } = batch[i];
    if (!plan.ok) return;
    for (const c of plan.changes) written.set(c.userId, c.present);
    if (!log) return;
    const group = renewals.get(log.ttlSeconds) ?? { now: log.now, ids: [] };
    group.now = Math.max(group.now, log.now);
    for (const u of updates) if (u.present) group.ids.push(u.userId);
    renewals.set(log.ttlSeconds, group);
    for (const change of plan.changes) entries.push(log.describe(change));
    counts.set(i, plan.changes.length);
  });
  return { plans, written, renewals, entries, counts };
}

/**
 * Each save's outcome, its events cut from the batch's (which follow `entries`' order);
 * `enqueued` tells whether the batch wrote the webhook outbox entry of those events.
 */
export function outcomes(
  writes: BatchWrites,
  events: readonly PresenceEvent[],
  enqueued: boolean,
): Outcome[] {
  let next = 0;
  return writes.plans.map((plan, i) => {
    if (!plan.ok) return plan;
    const count = writes.counts.get(i) ?? 0;
    const own = events.slice(next, next + count);
    next += count;
    return { ok: true, value: { changes: plan.changes, events: own, enqueued } };
  });
}

/** Answers every save of a batch: each its own outcome, or all the batch's failure. */
export function settle(batch: readonly WaitingSave[], result: Outcome[] | { failed: unknown }) {
  if (!Array.isArray(result)) {
    for (const job of batch) job.reject(result.failed);
    return;
  }
  batch.forEach((job, i) => {
    const outcome = result[i];
    if (outcome.ok) job.resolve(outcome.value);
    else job.reject(outcome.error);
  });
}
