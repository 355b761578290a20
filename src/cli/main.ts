/** The `chat-presence` command: serve, import, user, token. */
import { Command } from "commander";
import { MAX_ODATA_LENGTH } from "../http/rest/odata-query.ts";
import { DEMO_PASSWORD, DEMO_SEED } from "./demo.ts";
import { registerOperatorCommands } from "./operator.ts";
import {
  basePath,
  cidr,
  DEFAULT_DB,
  duration,
  integer,
  positive,
  trustProxy,
  xmlLimits,
} from "./options.ts";
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
  .option("--signin-user-limit <failures>", "failed sign-ins that lock a username", positive, 5)
  .option("--signin-address-limit <failures>", "failed sign-ins that lock an address", positive, 30)
  .option(
    "--signin-lock <seconds>",
    "first sign-in lock; each further failure doubles it",
    positive,
    1,
  )
  .option("--signin-max-lock <seconds>", "longest sign-in lock", positive, 900)
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
  .option(
    "--base-path <path>",
    "serve every route, SOAP endpoint and the dashboard under this site path (/SuperOffice)",
    basePath,
    "",
  )
  .option("--body-limit <bytes>", "largest request body accepted", integer, 1024 * 1024)
  .option(
    "--odata-max-length <chars>",
    "longest value of each OData parameter ($filter, $orderBy, $select, $top, $skip)",
    integer,
    MAX_ODATA_LENGTH,
  )
  .option(
    "--xml-limits <list>",
    "XML body limits, any of depth=32,nodes=20000,attributes=1000,text=65536,markup=40000",
    xmlLimits,
  )
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
  .option("--webhook-limit <count>", "the most webhooks that may be registered", integer, 100)
  .option("--webhook-timeout <seconds>", "time for a whole webhook attempt", positive, 5)
  .option(
    "--webhook-in-flight <count>",
    "webhook sends in flight at once per webhook, per node",
    positive,
    4,
  )
  .option(
    "--webhook-pool <count>",
    "webhook sends in flight at once per node beyond each webhook's first",
    integer,
    16,
  )
  .option(
    "--webhook-allow-private",
    "let webhooks point at loopback, private and link-local addresses (receivers on premises)",
  )
  .option(
    "--webhook-allow <cidr>",
    "let webhooks point at this private range, such as 10.1.0.0/16 (repeatable)",
    (value: string, list: string[]) => [...list, cidr(value)],
    [] as string[],
  )
  .option(
    "--public-availability",
    "let anonymous callers (chat widgets) read GET /api/v1/Availability (env PUBLIC_AVAILABILITY=1)",
    process.env.PUBLIC_AVAILABILITY === "1" || process.env.PUBLIC_AVAILABILITY === "true",
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
      signIn: {
        perUser: options.signinUserLimit,
        perAddress: options.signinAddressLimit,
        lockMs: options.signinLock * 1000,
        maxLockMs: options.signinMaxLock * 1000,
      },
      corsOrigins: options.corsOrigin,
      streamResumeWindowMs: options.streamResumeWindow,
      webhookLimit: options.webhookLimit,
      webhookAllowPrivate: options.webhookAllowPrivate ?? false,
      webhookAllow: options.webhookAllow,
      webhooks: {
        timeoutMs: options.webhookTimeout * 1000,
        perWebhookConcurrency: options.webhookInFlight,
        concurrency: options.webhookPool,
      },
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
