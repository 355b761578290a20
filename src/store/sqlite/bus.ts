/**
 * The change bus of a server on a SQLite file, which other processes (`chat-presence import`,
 * `user` commands) may write while it serves. Changes made here go out at once; a cheap poll of
 * `PRAGMA data_version` (it changes only when another connection commits) notices the others,
 * whose history is then read and delivered, in id order, and handed to `onExternalChange`
 * listeners so caches of the directory can be brought up to date.
 */
import type Database from "better-sqlite3";
import type { PresenceEvent } from "../../domain/presence.ts";
import { addListener, type ChangeBus, type ChangeListener } from "../../events/bus.ts";
import type { HistoryStore } from "../history.ts";

const CATCH_UP_PAGE = 1000;

export type ExternalChangeListener = (events: readonly PresenceEvent[]) => void;

export class SqliteBus implements ChangeBus {
  private readonly listeners = new Set<ChangeListener>();
  private readonly external = new Set<ExternalChangeListener>();
  private readonly dataVersion: Database.Statement;
  private lastDataVersion: number;
  private readonly poll: NodeJS.Timeout;

  constructor(
    db: Database.Database,
    private readonly history: HistoryStore,
    private lastDelivered: number,
    pollMs = 250,
  ) {
    this.dataVersion = db.prepare("PRAGMA data_version").pluck();
    this.lastDataVersion = this.dataVersion.get() as number;
    this.poll = setInterval(() => void this.checkExternal(), pollMs);
    this.poll.unref();
  }

  static async start(db: Database.Database, history: HistoryStore, pollMs?: number) {
    return new SqliteBus(db, history, await history.latestHistoryId(), pollMs);
  }

  delivered(): number {
    return this.lastDelivered;
  }

  /**
   * One writer commits at a time here, so this process's own events are normally the next
   * ids; when they are not, another process wrote in between, and its entries go out first.
   */
  async publish(events: readonly PresenceEvent[]): Promise<void> {
    if (events.length === 0 || events[events.length - 1].Version <= this.lastDelivered) return;
    if (events[0].Version === this.lastDelivered + 1) this.deliver(events);
    else await this.catchUp();
  }

  subscribe(listener: ChangeListener): () => void {
    return addListener(this.listeners, listener);
  }

  /** Listens for changes other processes made (with the history they logged, maybe none). */
  onExternalChange(listener: ExternalChangeListener): () => void {
    return addListener(this.external, listener);
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    this.listeners.clear();
    this.external.clear();
  }

  private async checkExternal(): Promise<void> {
    const version = this.dataVersion.get() as number;
    if (version === this.lastDataVersion) return;
    this.lastDataVersion = version;
    const events = await this.catchUp();
    for (const listener of this.external) guarded(() => listener(events));
  }

  /** Reads (synchronously underneath, so nothing interleaves) and delivers what is new. */
  private async catchUp(): Promise<PresenceEvent[]> {
    const found: PresenceEvent[] = [];
    for (;;) {
      const page = await this.history.changesSince(String(this.lastDelivered), CATCH_UP_PAGE);
      const fresh = page.events.filter((e) => e.Version > this.lastDelivered);
      if (fresh.length > 0) this.deliver(fresh);
      found.push(...fresh);
      if (page.events.length < CATCH_UP_PAGE) return found;
    }
  }

  private deliver(events: readonly PresenceEvent[]): void {
    this.lastDelivered = events[events.length - 1].Version;
    for (const listener of this.listeners) guarded(() => listener(events));
  }
}

/** One broken listener must not stop the others, nor fail the save that published. */
function guarded(call: () => void): void {
  try {
    call();
  } catch {
    // reported by the listener itself
  }
}
