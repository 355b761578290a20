/**
 * Routing's metrics: offers by how they ended and the wait from queued to assigned, counted
 * from the decisions routing records (each told once, on the node that made it); queue length,
 * oldest wait and agent utilisation per topic, read from the store when scraped.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { RoutingEventInput } from "../domain/routing-event.ts";
import type { TopicQueueGauges } from "../service/queue.ts";

export const OFFER_OUTCOMES = ["accepted", "declined", "lapsed", "withdrawn"] as const;
export type OfferOutcome = (typeof OFFER_OUTCOMES)[number];

/** Seconds from a session queued to an agent taking it: from instant routing to an hour's wait. */
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** How an offer ended, by the event that ended it; null for events that end none. */
function offerOutcome(event: RoutingEventInput): OfferOutcome | null {
  if (event.type === "declined") return "declined";
  if (event.type === "assigned" && event.detail.how === "offer") return "accepted";
  if (event.type !== "offer_lapsed") return null;
  return event.detail.reason === "expired" ? "lapsed" : "withdrawn";
}

/** A gauge per topic, set afresh from the queue figures at every scrape. */
function topicGauge(
  registry: Registry,
  name: string,
  help: string,
  queues: () => Promise<TopicQueueGauges[]>,
  value: (topic: TopicQueueGauges) => number | null,
): void {
  new Gauge({
    name,
    help,
    labelNames: ["topic"],
    registers: [registry],
    async collect() {
      const topics = await queues();
      this.reset();
      for (const topic of topics) {
        const v = value(topic);
        if (v !== null) this.set({ topic: String(topic.topicId) }, v);
      }
    },
  });
}

/** One read shared by the callers that ask while it is under way (a scrape's three gauges). */
function shared<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= read().finally(() => {
      pending = null;
    });
    return pending;
  };
}

export class RoutingMetrics {
  private readonly offers: Counter<"outcome">;
  private readonly waits: Histogram<"how">;

  constructor(registry: Registry, readQueues: () => Promise<TopicQueueGauges[]>) {
    const registers = [registry];
    const queues = shared(readQueues);
    this.offers = new Counter({
      name: "chat_presence_routing_offers_total",
      help: "Offers ended, by outcome (accepted, declined, lapsed, withdrawn)",
      labelNames: ["outcome"],
      registers,
    });
    for (const outcome of OFFER_OUTCOMES) this.offers.inc({ outcome }, 0);
    this.waits = new Histogram({
      name: "chat_presence_routing_wait_seconds",
      help: "Seconds from a session queued to an agent taking it, by how (offer, assign, pickup)",
      labelNames: ["how"],
      buckets: WAIT_BUCKETS,
      registers,
    });
    topicGauge(
      registry,
      "chat_presence_queue_length",
      "Sessions waiting (InQueue), per topic",
      queues,
      (t) => t.queueLength,
    );
    topicGauge(
      registry,
      "chat_presence_queue_oldest_wait_seconds",
      "Seconds the longest-waiting session of the topic has waited (0 when none waits)",
      queues,
      (t) => t.oldestWaitSeconds,
    );
    topicGauge(
      registry,
      "chat_presence_agent_utilisation",
      "Mean fullness (ongoing chats over the limit that binds) of the topic's present agents with a limit",
      queues,
      (t) => t.utilisation,
    );
  }

  /** Counts what routing decided: the offers these events end and the waits of assignments. */
  count(events: readonly RoutingEventInput[]): void {
    for (const event of events) {
      const outcome = offerOutcome(event);
      if (outcome) this.offers.inc({ outcome });
      const waited = event.detail.waitedMs;
      if (event.type === "assigned" && typeof waited === "number") {
        this.waits.observe({ how: String(event.detail.how) }, waited / 1000);
      }
    }
  }
}
