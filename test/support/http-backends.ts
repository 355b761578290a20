/**
 * A real HTTP server per store backend: `describeHttpBackends` runs a suite once on SQLite and
 * once on PostgreSQL (skipped, and announced, without one), the server started with the given
 * options before the suite and closed, with its schema dropped, after it.
 */
import { after, before, describe } from "node:test";
import { announceSkip, scratchSchema } from "./postgres.ts";
import { startTestServer, type TestServer } from "./server.ts";

type TestServerOptions = Parameters<typeof startTestServer>[0];

const skipPostgres = await announceSkip("HTTP suites on PostgreSQL");

export function describeHttpBackends(
  title: string,
  options: TestServerOptions,
  suite: (server: () => TestServer, backend: "sqlite" | "postgres") => void,
): void {
  for (const backend of ["sqlite", "postgres"] as const) {
    describe(`${title} (${backend})`, { skip: backend === "postgres" && skipPostgres }, () => {
      let server: TestServer;
      const scratch = scratchSchema();
      before(async () => {
        server = await startTestServer({
          ...options,
          ...(backend === "postgres" ? { db: scratch.url } : {}),
        });
      });
      after(async () => {
        await server?.close();
        if (backend === "postgres") await scratch.drop();
      });
      suite(() => server, backend);
    });
  }
}
