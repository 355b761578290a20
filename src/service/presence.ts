/** The presence operations every protocol uses: read all, save some. */
import {
  type Actor,
  assertMaySave,
  type ChatPresence,
  collapseDuplicates,
  type PresenceUpdate,
} from "../domain/presence.ts";
import type { PresenceChange, Store } from "../store/store.ts";

export interface PresenceSnapshot {
  /** Increases on every change to presence or to the directory behind it. */
  version: number;
  presence: readonly ChatPresence[];
}

export class PresenceService {
  private version = 1;
  private snapshot: PresenceSnapshot | null = null;

  constructor(private readonly store: Store) {}

  /**
   * Presence changes far less often than it is read, so the computed list is kept until the
   * next change; callers may cache anything derived from it under the same version.
   */
  async getAll(): Promise<PresenceSnapshot> {
    if (this.snapshot) return this.snapshot;
    const version = this.version;
    const presence = await this.store.listPresence();
    const snapshot = { version, presence };
    // A change that landed while we were reading makes this list stale: do not keep it.
    if (version === this.version) this.snapshot = snapshot;
    return snapshot;
  }

  /** Saves atomically: every entry is checked first (unknown user 400, not yours 403). */
  async save(actor: Actor, updates: readonly PresenceUpdate[]): Promise<PresenceChange[]> {
    const existing = await this.store.existingUserIds(updates.map((u) => u.userId));
    assertMaySave(actor, updates, (id) => existing.has(id));
    const changes = await this.store.savePresence(collapseDuplicates(updates));
    if (changes.length > 0) this.invalidate();
    return changes;
  }

  /** Called after any change that can alter presence (saves, directory edits, imports). */
  invalidate(): void {
    this.version++;
    this.snapshot = null;
  }
}
