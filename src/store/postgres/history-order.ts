/**
 * Puts log rows (presence history, routing events) read from PostgreSQL back into id order without ever skipping an id that
 * may still commit. Ids come from a sequence and concurrent writers commit them in any order,
 * so a reader can see id 7 committed while 6 is still in flight: 7 is held until 6 appears, or
 * until 6 is known never to appear (its transaction rolled back, or the sequence skipped it).
 *
 * The proof that an id is dead: a writer's transaction has an xid before it takes ids (see
 * history.ts), so whoever holds a missing id below the newest id seen in snapshot S was in
 * progress in S, with an xid below S's xmax. Once a later snapshot's xmin reaches that xmax,
 * every such transaction has ended, and what did not commit by then never will.
 */
import type { PresenceEvent } from "../../domain/presence.ts";

export interface SnapshotBounds {
  /** Every transaction id below this had ended when the snapshot was taken. */
  xmin: bigint;
  /** Every transaction id from this on had not started. */
  xmax: bigint;
}

/** `xmin:xmax:xip,…` (pg_snapshot as text) → its bounds. */
export function snapshotBounds(text: string): SnapshotBounds {
  const [xmin, xmax] = text.split(":");
  return { xmin: BigInt(xmin), xmax: BigInt(xmax) };
}

/** Missing ids up to `covers` are dead once a snapshot's xmin reaches `horizon`. */
interface Stall {
  covers: number;
  horizon: bigint;
}

/** The order of any log whose rows carry an id from a sequence; `idOf` reads it. */
export class LogOrder<T> {
  private readonly held = new Map<number, T>();
  private stall: Stall | null = null;

  /**
   * @param delivered every id up to this one has been delivered or is dead
   * @param startHorizon rows at or below `delivered` may still commit until a snapshot's xmin
   *   reaches this (they were in flight when `delivered` was read); they are delivered first
   */
  constructor(
    private readonly idOf: (row: T) => number,
    private delivered: number,
    private startHorizon: bigint | null = null,
  ) {}

  /** The newest id such that it and every id before it are delivered or dead. */
  get position(): number {
    return this.startHorizon === null ? this.delivered : 0;
  }

  /** True while some rows are held back waiting for a missing id. */
  get waiting(): boolean {
    return this.held.size > 0 || this.startHorizon !== null;
  }

  /**
   * Takes the rows one read found (any order, repeats allowed) with the bounds of that read's
   * snapshot, and returns what may now be delivered, in id order.
   */
  add(events: readonly T[], bounds: SnapshotBounds): T[] {
    const out: T[] = [];
    if (this.startHorizon !== null) {
      for (const e of events) this.held.set(this.idOf(e), e);
      if (bounds.xmin < this.startHorizon) return out;
      this.startHorizon = null;
      // Rows from before the start, late or not, go out in id order ahead of everything else.
      const early = [...this.held.values()].filter((e) => this.idOf(e) <= this.delivered);
      for (const e of early.sort((a, b) => this.idOf(a) - this.idOf(b))) {
        this.held.delete(this.idOf(e));
        out.push(e);
      }
    } else {
      for (const e of events) if (this.idOf(e) > this.delivered) this.held.set(this.idOf(e), e);
    }
    return out.concat(this.drain(bounds));
  }

  private drain(bounds: SnapshotBounds): T[] {
    const out: T[] = [];
    for (;;) {
      const next = this.held.get(this.delivered + 1);
      if (next) {
        this.held.delete(this.delivered + 1);
        out.push(next);
        this.delivered++;
        continue;
      }
      if (this.held.size === 0) return out;
      const stall = this.stall;
      if (stall && bounds.xmin >= stall.horizon && this.delivered < stall.covers) {
        // Everything missing up to `covers` is dead: jump to just below the next row held.
        this.delivered = Math.min(stall.covers, Math.min(...this.held.keys()) - 1);
        continue;
      }
      if (!stall || bounds.xmin >= stall.horizon)
        this.stall = { covers: Math.max(...this.held.keys()), horizon: bounds.xmax };
      return out;
    }
  }
}

/** Presence history in Version order (the change bus's). */
export class HistoryOrder extends LogOrder<PresenceEvent> {
  constructor(delivered: number, startHorizon: bigint | null = null) {
    super((event) => event.Version, delivered, startHorizon);
  }
}
