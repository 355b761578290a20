/**
 * The SOAP baseline: what a Node user would otherwise pick, the `soap` package's own server
 * (`soap.listen`) over this project's Services88 Chat WSDL, doing the same work as the app's
 * Chat.svc through the same service layer: ticket check, then PresenceService.getAll / save,
 * over its own SQLite file seeded with the bench directory. Sends { url, ticket, users }.
 * Args: --users N --topics N
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import soap from "soap";
import { createServices } from "../../src/service/services.ts";
import { openStore } from "../../src/store/open.ts";
import { BENCH_ADMIN_ID, benchSeed } from "../lib/seed.ts";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "1000" },
    topics: { type: "string", default: "20" },
  },
});

const dir = mkdtempSync(join(tmpdir(), "chat-presence-bench-soap-"));
const store = await openStore(join(dir, "bench.db"));
const services = createServices(store);
const users = Number(values.users);
await services.directory.importSeed(benchSeed(users, Number(values.topics)));
const ticket = await services.auth.issue("ticket", BENCH_ADMIN_ID);

interface Headers {
  Credentials?: { Ticket?: string };
}
interface Entry {
  UserId: number | string;
  Present: boolean | string;
}

const actorOf = (headers: Headers | undefined) =>
  services.auth.authenticateTicket(headers?.Credentials?.Ticket ?? "");

const chat = {
  async GetChatPresence(_args: unknown, _callback: unknown, headers: Headers) {
    await actorOf(headers);
    const { presence } = await services.presence.getAll();
    return {
      Response: {
        ChatPresence: presence.map((p) => ({
          UserId: p.UserId,
          DisplayName: p.DisplayName,
          OngoingChats: p.OngoingChats,
          Present: p.Present,
          ChatTopics: { int: p.ChatTopics ?? [] },
        })),
      },
    };
  },
  async SaveChatPresence(
    args: { ChatPresence?: { ChatPresence?: Entry | Entry[] } },
    _callback: unknown,
    headers: Headers,
  ) {
    const actor = await actorOf(headers);
    const list = args.ChatPresence?.ChatPresence ?? [];
    const entries = Array.isArray(list) ? list : [list];
    await services.presence.save(
      actor,
      entries.map((e) => ({
        userId: Number(e.UserId),
        present: e.Present === true || e.Present === "true",
      })),
      "soap",
    );
    return {};
  },
};

const wsdl = readFileSync(
  new URL("../../src/http/soap/wsdl/Services88-Chat.wsdl", import.meta.url),
  "utf8",
);
const server = createServer();
soap.listen(server, {
  path: "/Remote/Services88/Chat.svc",
  services: { WcfChatService: { BasicHttpBinding_Chat: chat } },
  xml: wsdl,
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
const port = typeof address === "object" && address ? address.port : 0;

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  server.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.on("disconnect", shutdown);
process.send?.({ url: `http://127.0.0.1:${port}`, ticket, users });
