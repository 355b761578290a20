/**
 * The change bus carries presence events from the node that made a change to every listener:
 * streams, webhooks, caches. In one process it is a plain fan-out; a clustered deployment
 * plugs in a bus over PostgreSQL LISTEN/NOTIFY with the same interface.
 */
import type { PresenceEvent } from "../domain/presence.ts";

export type ChangeListener = (events: readonly PresenceEvent[]) => void;

/** A user whose role, password or name changed, who was deleted or lost credentials; null: anyone. */
export type UserChangeListener = (userId: number | null) => void;

/** Adds `listener` to a bus's set of them; the result takes it out again. */
export function addListener<T>(listeners: Set<T>, listener: T): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface ChangeBus {
  publish(events: readonly PresenceEvent[]): Promise<void>;
  subscribe(listener: ChangeListener): () => void;
  /**
   * User changes made on other nodes, as they commit (a cluster bus only: in one process the
   * service that makes a change acts on it itself). Null when some may have been missed.
   */
  onUserChange?(listener: UserChangeListener): () => void;
  close(): Promise<void>;
  /**
   * Every Version up to this one has been handed to the listeners, in order. A bus that reads
   * history back (PostgreSQL) has one: a stream resumes or starts from it, since a newer id
   * may have a smaller one still in flight. Without it the store's newest id is used.
   */
  delivered?(): number;
  /**
   * Listens for changes another process made to the store this node does not otherwise hear of
   * (an operator's import into the SQLite file being served), with the history it logged.
   */
  onExternalChange?(listener: (events: readonly PresenceEvent[]) => void): () => void;
}

export class LocalBus implements ChangeBus {
  private readonly listeners = new Set<ChangeListener>();

  async publish(events: readonly PresenceEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // One broken listener must not stop the others, nor fail the save that published.
      }
    }
  }

  subscribe(listener: ChangeListener): () => void {
    return addListener(this.listeners, listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
