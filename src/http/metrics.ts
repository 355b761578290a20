/**
 * Prometheus metrics (prom-client), one registry per server so tests can run several servers
 * in one process. Request counts and latency by route pattern (bounded: unmatched paths are
 * one label) and status; presence, chats and streams read when scraped; store latency by
 * operation through `observeStore` (given to the store's `instrumentStore`); webhook outcomes
 * from the delivery worker; routing's in metrics-routing.ts.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TopicQueueGauges } from "../service/queue.ts";
import type { StoreObserver } from "../store/instrumented.ts";
import { RoutingMetrics } from "./metrics-routing.ts";

export interface WebhookStats {
  delivered: number;
  retried: number;
  failed: number;
}

/** Where the scrape-time figures come from; each may be absent (then it reads 0). */
export interface MetricSources {
  presence?: () => Promise<{ present: number; ongoingChats: number }>;
  streams?: () => { subscribers: number; dropped: number };
  webhooks?: () => WebhookStats | undefined;
  /** Passwords hashed and compared since start (each sign-in attempt the throttle let through). */
  passwordChecks?: () => number;
  /** Queue length, oldest wait and utilisation per topic (routing's gauges). */
  queues?: () => Promise<TopicQueueGauges[]>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORE_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1,
];

export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<"method" | "route" | "status">;
  readonly requestDuration: Histogram<"method" | "route" | "status">;
  readonly storeDuration: Histogram<"operation">;
  readonly storeErrors: Counter<"operation">;
  /** Offers by outcome and waits to assignment, counted from routing's decisions. */
  readonly routing: RoutingMetrics;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });
  sources: MetricSources = {};

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "chat_presence_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.requestDuration = new Histogram({
      name: "chat_presence_http_request_duration_seconds",
      help: "Time to answer HTTP requests, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.storeDuration = new Histogram({
      name: "chat_presence_store_duration_seconds",
      help: "Time of store operations, by operation",
      labelNames: ["operation"],
      buckets: STORE_BUCKETS,
      registers,
    });
    this.storeErrors = new Counter({
      name: "chat_presence_store_errors_total",
      help: "Store operations that failed, by operation",
      labelNames: ["operation"],
      registers,
    });
    const sources = () => this.sources;
    this.routing = new RoutingMetrics(
      this.registry,
      async () => (await sources().queues?.()) ?? [],
    );
    new Gauge({
      name: "chat_presence_present_agents",
      help: "Chat users whose Present is true",
      registers,
      async collect() {
        this.set((await sources().presence?.())?.present ?? 0);
      },
    });
    new Gauge({
      name: "chat_presence_ongoing_chats",
      help: "Chat sessions with status CustomerLast or UserLast",
      registers,
      async collect() {
        this.set((await sources().presence?.())?.ongoingChats ?? 0);
      },
    });
    new Gauge({
      name: "chat_presence_stream_subscribers",
      help: "Open change streams (SSE)",
      registers,
      collect() {
        this.set(sources().streams?.().subscribers ?? 0);
      },
    });
    new Gauge({
      name: "chat_presence_stream_dropped",
      help: "Change streams dropped for reading too slowly, since start",
      registers,
      collect() {
        this.set(sources().streams?.().dropped ?? 0);
      },
    });
    new Gauge({
      name: "chat_presence_webhook_deliveries",
      help: "Webhook delivery attempts since start, by outcome (delivered, retried, failed)",
      labelNames: ["outcome"],
      registers,
      collect() {
        const stats = sources().webhooks?.();
        for (const outcome of ["delivered", "retried", "failed"] as const)
          this.set({ outcome }, stats?.[outcome] ?? 0);
      },
    });
    new Gauge({
      name: "chat_presence_password_checks",
      help: "Passwords hashed and compared since start (sign-in attempts the throttle let through)",
      registers,
      collect() {
        this.set(sources().passwordChecks?.() ?? 0);
      },
    });
    const loopDelay = this.loopDelay;
    loopDelay.enable();
    new Gauge({
      name: "chat_presence_event_loop_delay_p99_seconds",
      help: "99th percentile event loop delay since the previous scrape",
      registers,
      collect() {
        this.set(loopDelay.count > 0 ? loopDelay.percentile(99) / 1e9 : 0);
        loopDelay.reset();
      },
    });
    new Gauge({
      name: "process_resident_memory_bytes",
      help: "Resident set size of the process",
      registers,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Gauge({
      name: "nodejs_heap_used_bytes",
      help: "V8 heap in use",
      registers,
      collect() {
        this.set(process.memoryUsage().heapUsed);
      },
    });
    new Gauge({
      name: "nodejs_heap_total_bytes",
      help: "V8 heap reserved (used and free)",
      registers,
      collect() {
        this.set(process.memoryUsage().heapTotal);
      },
    });
    new Gauge({
      name: "nodejs_external_memory_bytes",
      help: "Memory of C++ objects bound to JavaScript (buffers, SQLite)",
      registers,
      collect() {
        const usage = process.memoryUsage();
        this.set(usage.external + usage.arrayBuffers);
      },
    });
    const started = Date.now();
    new Gauge({
      name: "process_uptime_seconds",
      help: "Seconds since the server started",
      registers,
      collect() {
        this.set((Date.now() - started) / 1000);
      },
    });
  }

  /** Times one store operation into storeDuration, counting it in storeErrors if it failed. */
  readonly observeStore: StoreObserver = (operation) => {
    const end = this.storeDuration.startTimer({ operation });
    return (failed) => {
      if (failed) this.storeErrors.inc({ operation });
      end();
    };
  };

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.requestDuration.observe(labels, seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.loopDelay.disable();
  }
}
