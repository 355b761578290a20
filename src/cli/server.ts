/** Starts the HTTP server over a store: used by `chat-presence serve` and by the tests. */

import { readFile } from "node:fs/promises";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { parseSeed } from "../domain/seed.ts";
import { buildApp } from "../http/app.ts";
import { startMaintenance } from "../realtime/maintenance.ts";
import { createServices, type Services } from "../service/services.ts";
import { openStore } from "../store/open.ts";
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
  const store = await openStore(options.db);
  const services = createServices(store, {
    auth: { online: options.online ?? false },
    presenceTtlSeconds: options.presenceTtl ?? null,
  });
  if (options.seed) await services.directory.importSeed(await readSeedFile(options.seed));
  const demoLoaded = Boolean(options.demo) && (await store.isEmpty());
  if (demoLoaded) await services.directory.importSeed(DEMO_SEED);
  const app = await buildApp({
    services,
    logger: options.logger,
    trustProxy: options.trustProxy,
    bodyLimit: options.bodyLimit,
    version: VERSION,
  });
  const stopMaintenance = startMaintenance(services, {
    expiryIntervalMs: 250,
    purgeIntervalMs: 3_600_000,
    onError: (error) => app.log.error({ err: error }, "maintenance task failed"),
  });
  const address = await app.listen({ port: options.port, host: options.host });
  return {
    app,
    services,
    url: address,
    demoLoaded,
    async close() {
      stopMaintenance();
      await app.close();
      await store.close();
    },
  };
}
