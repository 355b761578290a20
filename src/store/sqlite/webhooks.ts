/**
 * SQLite: webhooks and their outbox (WebhookOutboxStore); claims and outcomes of the
 * deliveries fan-out makes are in webhook-deliveries.ts. Every outbox operation is one
 * conditional statement or one IMMEDIATE transaction, atomic across connections and
 * processes sharing the file.
 */
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { PresenceEvent } from "../../domain/presence.ts";
import type { RoutingEvent } from "../../domain/routing-event.ts";
import type { NewWebhook, Webhook, WebhookEventType } from "../../domain/webhook.ts";
import type { HistoryRow } from "../rows/history.ts";
import type { RoutingEventRow } from "../rows/routing-events.ts";
import {
  entryEvents,
  eventTypesText,
  type OutboxRow,
  parseVersionRanges,
  routingEntryEvents,
  toWebhook,
  versionRanges,
  type WebhookRow,
  webhooksPerStep,
} from "../rows/webhooks.ts";
import type { WebhookOutboxStore } from "../webhooks.ts";
import { FAN_OUT, FAN_OUT_ROUTING } from "./webhook-fan-out.ts";

function statements(db: Database.Database) {
  return {
    enqueue: db.prepare(
      "INSERT INTO webhook_outbox (kind, versions, event_count, created_at) VALUES (?, ?, ?, ?)",
    ),
    oldestEntry: db.prepare(
      "SELECT seq, kind, versions, event_count, created_at, fanned_to FROM webhook_outbox ORDER BY seq LIMIT 1",
    ),
    history: db.prepare("SELECT * FROM presence_history WHERE id BETWEEN ? AND ? ORDER BY id"),
    routing: db.prepare("SELECT * FROM routing_events WHERE id BETWEEN ? AND ? ORDER BY id"),
    anyEntry: db.prepare("SELECT EXISTS (SELECT 1 FROM webhook_outbox)").pluck(),
    nextWebhooks: db
      .prepare("SELECT id FROM webhooks WHERE id > ? AND created_at <= ? ORDER BY id LIMIT ?")
      .pluck(),
    fanOut: db.prepare(FAN_OUT),
    fanOutRouting: db.prepare(FAN_OUT_ROUTING),
    entryDone: db.prepare("DELETE FROM webhook_outbox WHERE seq = ?"),
    entryServed: db.prepare("UPDATE webhook_outbox SET fanned_to = ? WHERE seq = ?"),
  };
}

/** The webhooks and outbox part of the store, over the store's connection. */
export class SqliteWebhooks implements WebhookOutboxStore {
  private readonly sql;
  private knownWebhooks: number | null = null;
  /** The events of the entry being fanned out, read from history once for all its steps. */
  private fanning: { seq: number; events: string } | null = null;

  constructor(private readonly db: Database.Database) {
    // PostgreSQL has gen_random_uuid(); SQLite gets the same from Node, per row.
    db.function("chat_presence_uuid", { deterministic: false }, () => randomUUID());
    this.sql = statements(db);
  }

  async createWebhook(webhook: NewWebhook, now: number, limit: number): Promise<Webhook | null> {
    this.knownWebhooks = null;
    const insert = this.db.prepare(
      `INSERT INTO webhooks (url, secret, topic_id, event_types, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    const row = this.db
      .transaction(() => {
        if (this.countWebhooks() >= limit) return undefined;
        const types = eventTypesText(webhook.eventTypes);
        return insert.get(
          webhook.url,
          webhook.secret,
          webhook.topicId,
          types,
          now,
          webhook.createdBy,
        );
      })
      .immediate() as WebhookRow | undefined;
    this.knownWebhooks = null;
    return row ? toWebhook(row) : null;
  }

  async listWebhooks(): Promise<Webhook[]> {
    return (this.db.prepare("SELECT * FROM webhooks ORDER BY id").all() as WebhookRow[]).map(
      toWebhook,
    );
  }

  async getWebhook(id: number): Promise<Webhook | null> {
    const row = this.db.prepare("SELECT * FROM webhooks WHERE id = ?").get(id) as
      | WebhookRow
      | undefined;
    return row ? toWebhook(row) : null;
  }

  async setWebhookEventTypes(id: number, types: readonly WebhookEventType[]) {
    const row = this.db
      .prepare("UPDATE webhooks SET event_types = ? WHERE id = ? RETURNING *")
      .get(eventTypesText(types), id) as WebhookRow | undefined;
    return row ? toWebhook(row) : null;
  }

  async deleteWebhook(id: number): Promise<boolean> {
    // Its deliveries go with it (ON DELETE CASCADE, through the webhook_id index).
    this.knownWebhooks = null;
    return this.db.prepare("DELETE FROM webhooks WHERE id = ?").run(id).changes > 0;
  }

  private countWebhooks(): number {
    return this.db.prepare("SELECT COUNT(*) FROM webhooks").pluck().get() as number;
  }

  /**
   * How many webhooks exist, remembered between changes: a SQLite file has one server, so only
   * this object adds or removes them, and a save with no webhook to feed skips the outbox.
   */
  private webhookCount(): number {
    this.knownWebhooks ??= this.countWebhooks();
    return this.knownWebhooks;
  }

  async enqueueChanges(events: readonly PresenceEvent[], now: number): Promise<boolean> {
    return this.enqueueInTransaction(events, now);
  }

  /** The outbox entry of `events`, within the caller's transaction (a save's, or its own). */
  enqueueInTransaction(events: readonly PresenceEvent[], now: number): boolean {
    if (events.length === 0 || this.webhookCount() === 0) return false;
    this.sql.enqueue.run(
      "presence",
      versionRanges(events.map((e) => e.Version)),
      events.length,
      now,
    );
    return true;
  }

  async enqueueRoutingEvents(events: readonly RoutingEvent[], now: number): Promise<boolean> {
    if (events.length === 0 || this.webhookCount() === 0) return false;
    this.sql.enqueue.run("routing", versionRanges(events.map((e) => e.id)), events.length, now);
    return true;
  }

  async fanOut(rowBudget: number): Promise<boolean> {
    const { oldestEntry, nextWebhooks, entryDone, entryServed, anyEntry } = this.sql;
    // A plain read first: the write lock is taken only when there is something to fan out.
    if (!anyEntry.get()) return false;
    return this.db
      .transaction(() => {
        const entry = oldestEntry.get() as OutboxRow | undefined;
        if (!entry) return false;
        const take = webhooksPerStep(entry, rowBudget);
        const ids = nextWebhooks.all(entry.fanned_to, entry.created_at, take) as number[];
        const last = ids.at(-1);
        if (last !== undefined) {
          const events = this.outboxEvents(entry);
          const fanOut = entry.kind === "routing" ? this.sql.fanOutRouting : this.sql.fanOut;
          fanOut.run({ events, createdAt: entry.created_at, after: entry.fanned_to, last });
        }
        if (ids.length < take) entryDone.run(entry.seq);
        else entryServed.run(last, entry.seq);
        return true;
      })
      .immediate();
  }

  private outboxEvents(entry: OutboxRow): string {
    if (this.fanning?.seq !== entry.seq) {
      const { first, last } = parseVersionRanges(entry.versions);
      const events =
        entry.kind === "routing"
          ? routingEntryEvents(entry, this.sql.routing.all(first, last) as RoutingEventRow[])
          : entryEvents(entry, this.sql.history.all(first, last) as HistoryRow[]);
      this.fanning = { seq: entry.seq, events };
    }
    return this.fanning.events;
  }
}
