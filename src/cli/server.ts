/** Starts the HTTP server over a store: used by `chat-presence serve` and by the tests. */

import { readFile } from "node:fs/promises";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { parseSeed } from "../domain/seed.ts";
import { buildApp } from "../http/app.ts";
import { startMaintenance } from "../realtime/maintenance.ts";
import { WebhookWorker, type WebhookWorkerOptions } from "../realtime/webhooks.ts";
import { createServices, type Services } from "../service/services.ts";
import { openBackend } from "../store/open.ts";
import { DEMO_SEED } from "./demo.ts";

export interface ServeOptions {
  port: number;
  host: string;
  db: string;
  seed?: string;
  online?: boolean;
  demo?: boolean;
  trustProxy?: boolean;
  bodyLimit?: number;
  /** Heartbeat expiry in seconds (off when absent). */
  presenceTtl?: number;
  logger?: FastifyServerOptions["logger"];
  /** Webhook delivery tuning (timeout, retry backoff, polling); defaults suit production. */
  webhooks?: Partial<WebhookWorkerOptions>;
}

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  url: string;
  /** True when --demo loaded the demo directory into an empty store. */
  demoLoaded: boolean;
  close(): Promise<void>;
}

export const VERSION = "0.1.0";

export async function readSeedFile(path: string) {
  return parseSeed(JSON.parse(await readFile(path, "utf8")));
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  // Background failures (a lost LISTEN connection, a failed expiry run) go to the app log once it exists.
  let logError = (error: unknown, what: string) => console.error(what, error);
  const onError = (error: unknown) => logError(error, "background task failed");
  const { store, bus, shared } = await openBackend(options.db, onError);
  const services = createServices(store, {
    bus,
    shared,
    auth: { online: options.online ?? false },
    presenceTtlSeconds: options.presenceTtl ?? null,
  });
  if (options.seed) await services.directory.importSeed(await readSeedFile(options.seed));
  const demoLoaded = Boolean(options.demo) && (await store.isEmpty());
  if (demoLoaded) await services.directory.importSeed(DEMO_SEED);
  // Load presence before the first request: change detection diffs against this snapshot.
  await services.presence.getAll();
  const app = await buildApp({
    services,
    logger: options.logger,
    trustProxy: options.trustProxy,
    bodyLimit: options.bodyLimit,
    version: VERSION,
  });
  logError = (error, what) => app.log.error({ err: error }, what);
  const stopMaintenance = startMaintenance(services, {
    expiryIntervalMs: 250,
    purgeIntervalMs: 3_600_000,
    onError,
  });
  services.webhooks.onError = (error) =>
    app.log.error({ err: error }, "webhook deliveries could not be enqueued");
  const webhookWorker = new WebhookWorker(store, options.webhooks, app.log);
  const stopWebhookKicks = services.webhooks.onEnqueued(() => webhookWorker.kick());
  webhookWorker.start();
  const address = await app.listen({ port: options.port, host: options.host });
  return {
    app,
    services,
    url: address,
    demoLoaded,
    async close() {
      stopMaintenance();
      stopWebhookKicks();
      await webhookWorker.stop();
      await app.close();
      await bus.close();
      await store.close();
    },
  };
}
