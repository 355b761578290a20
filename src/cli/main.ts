/** The `chat-presence` command: serve, import, user, token. */
import { Command } from "commander";
import { DEMO_PASSWORD, DEMO_SEED } from "./demo.ts";
import { registerOperatorCommands } from "./operator.ts";
import { DEFAULT_DB, duration, integer, positive, trustProxy } from "./options.ts";
import { startServer, VERSION } from "./server.ts";

const program = new Command("chat-presence")
  .version(VERSION)
  .description("SuperOffice-compatible chat presence server");

program
  .command("serve")
  .description("serve the REST, Agents and SOAP APIs")
  .option("--port <port>", "TCP port (env PORT)", integer, Number(process.env.PORT ?? 8080))
  .option("--host <host>", "address to bind (env HOST)", process.env.HOST ?? "127.0.0.1")
  .option("--db <location>", "SQLite file path or postgres:// URL (env DATABASE_URL)", DEFAULT_DB)
  .option("--seed <file>", "import this directory file at start (upsert)")
  .option("--online", "SuperOffice Online rules: SO-AppToken required, Basic refused")
  .option("--demo", "load a small demo directory into an empty store")
  .option(
    "--presence-ttl <seconds>",
    "Present=true lapses unless renewed within this many seconds (off by default)",
    integer,
  )
  .option(
    "--history-retention <days>",
    "days of presence history to keep; 0 keeps it for ever",
    integer,
    30,
  )
  .option(
    "--trust-proxy [proxies]",
    "honour X-Forwarded-* from these proxies: a hop count or addresses/CIDRs, comma-separated; bare: loopback",
    trustProxy,
  )
  .option("--streams-per-user <n>", "change streams one user may have open", positive, 20)
  .option(
    "--stream-limit <n>",
    "change streams open in all (default: the open-file limit less a reserve)",
    positive,
  )
  .option(
    "--stream-resume-events <n>",
    "a non-admin's stream resumes at most this many events back",
    positive,
    10_000,
  )
  .option(
    "--stream-resume-window <duration>",
    "a non-admin's stream resumes only over events this recent (30s, 15m, 1h)",
    duration,
    15 * 60_000,
  )
  .option("--body-limit <bytes>", "largest request body accepted", integer, 1024 * 1024)
  .option("--message-max-length <chars>", "longest chat message text", positive, 4000)
  .option("--messages-per-session <n>", "most messages one chat session may hold", positive, 5000)
  .option("--messages-page <n>", "most messages in one GetChatMessages answer", positive, 1000)
  .option("--log-level <level>", "fatal, error, warn, info, debug", process.env.LOG_LEVEL ?? "info")
  .option(
    "--metrics-token <token>",
    "a token that may read /metrics as Authorization: Bearer (env METRICS_TOKEN)",
    process.env.METRICS_TOKEN,
  )
  .option(
    "--cors-origin <origin>",
    "allow browser calls from this origin (repeatable; env CORS_ORIGINS, comma-separated)",
    (value: string, list: string[]) => [...list, value],
    (process.env.CORS_ORIGINS ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .option("--request-timeout <seconds>", "time to receive a whole request", integer, 30)
  .option("--headers-timeout <seconds>", "time to receive the request headers", integer, 10)
  .option(
    "--shutdown-timeout <seconds>",
    "on SIGTERM, how long in-flight requests may finish before connections are cut",
    integer,
    10,
  )
  .action(async (options) => {
    const server = await startServer({
      ...options,
      logger: { level: options.logLevel },
      corsOrigins: options.corsOrigin,
      streamResumeWindowMs: options.streamResumeWindow,
      requestTimeoutMs: options.requestTimeout * 1000,
      headersTimeoutMs: options.headersTimeout * 1000,
      shutdownTimeoutMs: options.shutdownTimeout * 1000,
    });
    if (options.demo) {
      const names = DEMO_SEED.users.map((u) => `${u.username} (${u.role})`).join(", ");
      console.log(
        `Demo directory ${server.demoLoaded ? "loaded" : "already present"}. Sign in as ${names}; password "${DEMO_PASSWORD}".`,
      );
    }
    console.log(`chat-presence listening on ${server.url} (store: ${options.db})`);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        console.log(
          `chat-presence: ${signal}, draining (connections cut after ${options.shutdownTimeout} s)`,
        );
        // A last resort should closing itself hang (a store that never answers).
        setTimeout(() => process.exit(1), options.shutdownTimeout * 1000 + 5_000).unref();
        server.close().then(
          () => process.exit(0),
          (error: Error) => {
            console.error(`chat-presence: shutdown failed: ${error.message}`);
            process.exit(1);
          },
        );
      });
    }
  });

registerOperatorCommands(program);

program.parseAsync(process.argv).catch((error: Error) => {
  console.error(`chat-presence: ${error.message}`);
  process.exit(1);
});
