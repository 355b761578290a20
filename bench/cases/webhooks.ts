/**
 * Webhook cost inside the save: SaveAll of all 1,000 users (each save really changing every
 * one, so 1,000 changes) on a server with 100 webhooks registered, beside the same save with
 * none, in turns. The save writes one outbox entry per change set whatever the number of
 * webhooks; fanning it out and sending are the delivery worker's, so both servers run without
 * one and what is compared is the save itself. Target: within 1.2× (req/s at least 1/1.2 of
 * the baseline's).
 */
import type { Suite } from "../lib/harness.ts";
import type { ServerInfo } from "../lib/processes.ts";
import { SaveSequence } from "./presence.ts";

const USERS = 1000;
const WEBHOOKS = 100;
const SAVE_ALL = "/api/v1/Presence/SaveAll";

export const WEBHOOK_CASES = {
  none: "SaveAll 1,000 users (no webhooks)",
  hundred: "SaveAll 1,000 users (100 webhooks)",
};

interface AppInfo extends ServerInfo {
  ticket: string;
}

export const webhooksSuite: Suite = {
  name: "webhooks",
  async run(ctx) {
    if (!Object.values(WEBHOOK_CASES).some((name) => ctx.wants(name))) return;
    const args = (webhooks: number) => [
      "--users",
      String(USERS),
      "--log-level",
      ctx.options.logLevel,
      "--webhooks",
      String(webhooks),
    ];
    const none = await ctx.spawn<AppInfo>("app, no webhooks", "servers/app.ts", {
      args: args(0),
    });
    const hundred = await ctx.spawn<AppInfo>("app, 100 webhooks", "servers/app.ts", {
      args: args(WEBHOOKS),
      profile: true,
    });
    ctx.note(
      `webhooks: ${USERS} users, each save changes all of them; ${WEBHOOKS} webhooks for every change; ` +
        "no delivery worker on either server (the save's own cost); 1 connection",
    );
    const save = (name: string, app: typeof none, baseline?: string) => {
      const saves = new SaveSequence(USERS, USERS);
      const headers = {
        authorization: `SoTicket ${app.info.ticket}`,
        accept: "application/json",
        "content-type": "application/json; charset=utf-8",
      };
      return {
        name,
        server: app,
        method: "POST" as const,
        path: SAVE_ALL,
        headers,
        nextBody: () => saves.body(),
        beforeRun: async () => {
          await saves.sync(app.info.url, headers);
        },
        settings: { connections: 1, pipelining: 1 },
        baseline,
        target: baseline ? { minRatio: 1 / 1.2 } : undefined,
      };
    };
    await ctx.measure(
      save(WEBHOOK_CASES.none, none),
      save(WEBHOOK_CASES.hundred, hundred, WEBHOOK_CASES.none),
    );
  },
};
