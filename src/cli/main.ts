/** The `chat-presence` command: serve, import, user, token. */
import { Command } from "commander";
import { DEMO_PASSWORD, DEMO_SEED } from "./demo.ts";
import { registerOperatorCommands } from "./operator.ts";
import { addServeOptions } from "./serve-options.ts";
import { startServer, VERSION } from "./server.ts";

const program = new Command("chat-presence")
  .version(VERSION)
  .description("SuperOffice-compatible chat presence server");

addServeOptions(
  program.command("serve").description("serve the REST, Agents and SOAP APIs"),
).action(async (options) => {
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
