/** Starts the HTTP server over a store: used by `chat-presence serve` and by the tests. */

import { readFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { parseSeed } from "../domain/seed.ts";
import type { TargetPolicy } from "../domain/webhook-target.ts";
import { buildApp } from "../http/app.ts";
import type { XmlLimits } from "../http/codecs/xml.ts";

import { Metrics } from "../http/metrics.ts";
import { fastifyTrustProxy, type TrustProxySetting } from "../http/trust-proxy.ts";
import { startMaintenance } from "../jobs/maintenance.ts";
import { ROUTING_SWEEP_MS, startRoutingSweep } from "../jobs/routing-sweep.ts";
import { WebhookWorker, type WebhookWorkerOptions } from "../jobs/webhook-delivery.ts";
import { DEFAULT_RESUME_WINDOW } from "../service/history.ts";
import { createServices, type Services } from "../service/services.ts";
import type { SignInLimits } from "../service/throttle.ts";
import { instrumentStore } from "../store/instrumented.ts";
import { openBackend } from "../store/open.ts";
import type { Store } from "../store/store.ts";
import { DEMO_SEED } from "./demo.ts";

export interface ServeOptions {
  port: number;
  host: string;
  db: string;
  seed?: string;
  online?: boolean;
  /** Sign-in throttling: failures per name and per address, lock times (see throttle.ts). */
  signIn?: Partial<SignInLimits>;
  demo?: boolean;
  /** Proxies whose X-Forwarded-* headers are believed (trust-proxy.ts); none by default. */
  trustProxy?: TrustProxySetting;
  bodyLimit?: number;
  /** The longest value of each OData parameter, characters (default 2,000). */
  odataMaxLength?: number;
  /** Limits of XML bodies, REST and SOAP; unnamed ones keep their defaults. */
  xmlLimits?: Partial<XmlLimits>;
  /** The site path everything is served under (`/SuperOffice`); the root by default. */
  basePath?: string;
  /** Heartbeat expiry in seconds (off when absent). */
  presenceTtl?: number;
  /** Days of presence history to keep (default 30; 0 keeps it for ever). */
  historyRetention?: number;
  logger?: FastifyServerOptions["logger"];
  /** A token that may read /metrics as `Authorization: Bearer <token>` (admins always may). */
  metricsToken?: string;
  /** Origins allowed to call the API from a browser (CORS); none by default. */
  corsOrigins?: string[];
  /** Time to receive a whole request, ms (default 30 s); against slow clients. */
  requestTimeoutMs?: number;
  /** Time to receive the request headers, ms (default 10 s). */
  headersTimeoutMs?: number;
  /**
   * How long close() lets in-flight requests finish before it cuts their connections, ms
   * (default 10 s).
   */
  shutdownTimeoutMs?: number;
  /** Change streams one user may have open (default 20). */
  streamsPerUser?: number;
  /** Change streams open in all (default: from the open-file limit, less a reserve). */
  streamLimit?: number;
  /** A non-admin's stream resumes at most this many events back (default 10,000)... */
  streamResumeEvents?: number;
  /** ...and only over events this recent, ms (default 15 minutes). */
  streamResumeWindowMs?: number;
  /** Longest chat message text (default 4,000 characters). */
  messageMaxLength?: number;
  /** Most messages one chat session may hold (default 5,000). */
  messagesPerSession?: number;
  /** Most messages in one GetChatMessages answer (default 1,000). */
  messagesPage?: number;
  /** Webhook delivery tuning (timeout, retry backoff, polling); defaults suit production. */
  webhooks?: Partial<WebhookWorkerOptions>;
  /** The most webhooks that may be registered (default 100). */
  webhookLimit?: number;
  /** Webhooks may point at private, loopback and link-local addresses too. */
  webhookAllowPrivate?: boolean;
  /** Ranges (CIDR) webhooks may point at although they are private. */
  webhookAllow?: string[];
  /** GET /api/v1/Availability answers anonymous callers too (`--public-availability`). */
  publicAvailability?: boolean;
  /** False runs no delivery worker on this node (others, or a later start, send). */
  webhookWorker?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  /** The store under the services: the CLI's own wiring and tests use it, adapters never do. */
  store: Store;
  url: string;
  /** True when --demo loaded the demo directory into an empty store. */
  demoLoaded: boolean;
  close(): Promise<void>;
}

function retentionMs(days: number | undefined): number | null | undefined {
  if (days === undefined) return undefined;
  return days === 0 ? null : days * 86_400_000;
}

export const VERSION = "0.1.0";

/** The addresses webhooks may reach, this host's own interface addresses refused with the rest. */
function webhookTargets(options: ServeOptions): TargetPolicy {
  const ownAddresses = Object.values(networkInterfaces())
    .flat()
    .map((info) => info?.address)
    .filter((address): address is string => Boolean(address));
  return {
    allowPrivate: options.webhookAllowPrivate ?? false,
    allow: options.webhookAllow ?? [],
    ownAddresses,
  };
}

export async function readSeedFile(path: string) {
  return parseSeed(JSON.parse(await readFile(path, "utf8")));
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  // Background failures (a lost LISTEN connection, a failed expiry run) go to the app log once it exists.
  let logError = (error: unknown, what: string) => console.error(what, error);
  const onError = (error: unknown) => logError(error, "background task failed");
  const backend = await openBackend(options.db, onError);
  const { bus, messageBus, routingBus, shared } = backend;
  const metrics = new Metrics();
  // Every store call is timed for /metrics (chat_presence_store_duration_seconds).
  const store = instrumentStore(backend.store, metrics.observeStore);
  const targets = webhookTargets(options);
  const services = createServices(store, {
    bus,
    webhooks: {
      targets,
      ...(options.webhookLimit === undefined ? {} : { limit: options.webhookLimit }),
    },
    messageBus,
    routingBus,
    onError,
    shared,
    auth: { online: options.online ?? false },
    signIn: options.signIn,
    presenceTtlSeconds: options.presenceTtl ?? null,
    historyRetentionMs: retentionMs(options.historyRetention),
    resumeWindow: {
      events: options.streamResumeEvents ?? DEFAULT_RESUME_WINDOW.events,
      ms: options.streamResumeWindowMs ?? DEFAULT_RESUME_WINDOW.ms,
    },
    messageLimits: {
      maxLength: options.messageMaxLength,
      perSession: options.messagesPerSession,
      pageSize: options.messagesPage,
    },
  });
  if (options.seed) await services.directory.importSeed(await readSeedFile(options.seed));
  const demoLoaded = Boolean(options.demo) && (await services.directory.isEmpty());
  if (demoLoaded) await services.directory.importSeed(DEMO_SEED);
  // Load presence before the first request: change detection diffs against this snapshot.
  await services.presence.getAll();
  const app = await buildApp({
    services,
    logger: options.logger,
    trustProxy: fastifyTrustProxy(options.trustProxy),
    streamLimits: { maxPerUser: options.streamsPerUser, maxTotal: options.streamLimit },
    bodyLimit: options.bodyLimit,
    odataMaxLength: options.odataMaxLength,
    xmlLimits: options.xmlLimits,
    basePath: options.basePath,
    publicAvailability: options.publicAvailability,
    version: VERSION,
    operations: {
      metrics,
      metricsToken: options.metricsToken,
      corsOrigins: options.corsOrigins,
      requestTimeoutMs: options.requestTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs,
    },
  });
  logError = (error, what) => app.log.error({ err: error }, what);
  const stopMaintenance = startMaintenance(services, {
    expiryIntervalMs: 250,
    purgeIntervalMs: 3_600_000,
    onError,
  });
  const stopRoutingSweep = startRoutingSweep(services, { intervalMs: ROUTING_SWEEP_MS, onError });
  services.webhooks.onError = (error) =>
    app.log.error({ err: error }, "webhook deliveries could not be enqueued");
  const webhookWorker = new WebhookWorker(store, { targets, ...options.webhooks }, app.log);
  const stopWebhookKicks = services.webhooks.onEnqueued(() => webhookWorker.kick());
  if (options.webhookWorker ?? true) webhookWorker.start();
  metrics.sources = {
    presence: async () => {
      const { presence } = await services.presence.getAll();
      let present = 0;
      let ongoingChats = 0;
      for (const p of presence) {
        if (p.Present) present++;
        ongoingChats += p.OngoingChats;
      }
      return { present, ongoingChats };
    },
    streams: () => ({ subscribers: app.streams.size, dropped: app.streams.dropped }),
    webhooks: () => webhookWorker.stats,
    passwordChecks: () => services.auth.passwordChecks,
    queues: () => services.queue.gauges(),
  };
  services.routing.decided.add((events) => metrics.routing.count(events));
  const address = await app.listen({ port: options.port, host: options.host });
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  return {
    app,
    services,
    store,
    url: address,
    demoLoaded,
    async close() {
      stopMaintenance();
      stopRoutingSweep();
      stopWebhookKicks();
      // Draining: no new connections, in-flight requests finish, streams end with a retry hint.
      // What is still open after the bound is cut, so a stuck client cannot hold the exit.
      const force = setTimeout(() => {
        app.log.warn(`closing connections still open after ${shutdownTimeoutMs} ms`);
        app.server.closeAllConnections();
      }, shutdownTimeoutMs);
      force.unref();
      await Promise.all([app.close(), webhookWorker.stop()]);
      clearTimeout(force);
      // Routing passes under way finish before the store they write to closes.
      await services.routing.settled();
      await bus.close();
      await messageBus.close();
      await routingBus.close();
      await store.close();
    },
  };
}
