/**
 * Typical size (1,000 users in 20 topics): GetAll as JSON and as XML, and Agents
 * GetChatPresence with $select, each beside a bare Fastify route returning the same bytes; and
 * SaveAll of 10 entries (each save really changes presence) beside a bare route that parses the
 * same JSON and answers 204, and beside the floor of any durable save (servers/bare-durable.ts:
 * the bare route plus the least SQLite write a durable save with history needs).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatPresence } from "../../src/domain/presence.ts";
import type { Suite } from "../lib/harness.ts";
import type { ServerInfo } from "../lib/processes.ts";

const GET_ALL = "/api/v1/Presence/GetAll";
const SAVE_ALL = "/api/v1/Presence/SaveAll";
const AGENTS_GET = "/api/v1/Agents/Chat/GetChatPresence";
const SELECT = "?$select=UserId,Present";
/** Where the bare server answers the app's XML GetAll bytes (its GetAll path has the JSON). */
const BARE_XML = "/bare/GetAll.xml";
const BATCH = 10;
/** Response headers the bare route repeats; the rest (date, length, keep-alive) Node adds. */
const COPIED_HEADERS = ["content-type", "etag", "cache-control", "vary", "request-id"];

interface AppInfo extends ServerInfo {
  ticket: string;
  users: number;
}

/**
 * SaveAll bodies that always change what is stored: users are taken ten (`batch`) at a time in turn and
 * each batch is saved with the opposite of its present state. With fewer requests in flight than
 * batches, no two in-flight saves touch the same user. `sync` re-reads the state before each
 * run, since autocannon may abandon a request in flight when a run ends.
 */
export class SaveSequence {
  private readonly present: boolean[];
  private readonly display = new Map<number, ChatPresence>();
  private next = 0;

  constructor(
    private readonly users: number,
    readonly batch = BATCH,
  ) {
    this.present = new Array(users + 1).fill(false);
  }

  body(): string {
    const batches = Math.floor(this.users / this.batch);
    const first = (this.next++ % batches) * this.batch + 1;
    const entries: ChatPresence[] = [];
    for (let id = first; id < first + this.batch; id++) {
      this.present[id] = !this.present[id];
      const known = this.display.get(id);
      entries.push({
        UserId: id,
        DisplayName: known?.DisplayName ?? `Agent ${id}`,
        OngoingChats: known?.OngoingChats ?? 0,
        Present: this.present[id],
        ChatTopics: known?.ChatTopics ?? [],
      });
    }
    return JSON.stringify(entries);
  }

  /** Loads the server's state; returns how many users differed from what this sequence expected. */
  async sync(url: string, headers: Record<string, string>): Promise<number> {
    const response = await fetch(url + GET_ALL, { headers });
    if (!response.ok) throw new Error(`GetAll answered ${response.status}`);
    let differing = 0;
    for (const p of (await response.json()) as ChatPresence[]) {
      if (this.present[p.UserId] !== p.Present) differing++;
      this.present[p.UserId] = p.Present;
      this.display.set(p.UserId, p);
    }
    return differing;
  }
}

/** What the app answered, for a bare route to repeat byte for byte. */
async function canned(
  url: string,
  init: { method: "GET" | "POST"; headers: Record<string, string> },
  barePath: string,
) {
  const response = await fetch(url, init);
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${body}`);
  const headers = Object.fromEntries(COPIED_HEADERS.map((h) => [h, response.headers.get(h) ?? ""]));
  return {
    method: init.method,
    path: barePath,
    headers,
    body: body.toString("base64"),
    bytes: body,
  };
}

export const presenceSuite: Suite = {
  name: "presence",
  async run(ctx) {
    const { logLevel, connections, pipelining } = ctx.options;
    const app = await ctx.spawn<AppInfo>("app", "servers/app.ts", {
      args: ["--users", "1000", "--topics", "20", "--log-level", logLevel],
      profile: true,
    });
    const auth = { authorization: `SoTicket ${app.info.ticket}`, accept: "application/json" };
    const xml = { ...auth, accept: "application/xml" };

    // Bare routes get exactly the bytes and headers the app answers with.
    const json = await canned(app.info.url + GET_ALL, { method: "GET", headers: auth }, GET_ALL);
    const count = (JSON.parse(json.bytes.toString()) as unknown[]).length;
    if (count !== app.info.users) throw new Error(`GetAll listed ${count} users`);
    const selected = await canned(
      app.info.url + AGENTS_GET + SELECT,
      { method: "POST", headers: auth },
      AGENTS_GET,
    );
    if (!selected.bytes.toString().startsWith('[{"UserId":1,"DisplayName":null'))
      throw new Error(`$select answered ${selected.bytes.subarray(0, 100)}`);
    const xmlList = await canned(app.info.url + GET_ALL, { method: "GET", headers: xml }, BARE_XML);
    if (!xmlList.bytes.toString().includes("<ArrayOfChatPresence"))
      throw new Error(`XML GetAll answered ${xmlList.bytes.subarray(0, 100)}`);
    const dir = mkdtempSync(join(tmpdir(), "chat-presence-bench-"));
    try {
      const file = join(dir, "routes.json");
      writeFileSync(
        file,
        JSON.stringify([json, selected, xmlList].map(({ bytes: _bytes, ...route }) => route)),
      );
      const bare = await ctx.spawn("bare", "servers/bare.ts", { args: ["--routes-file", file] });
      const floor = await ctx.spawn("floor", "servers/bare-durable.ts", {
        args: ["--users", String(app.info.users)],
      });

      ctx.note(
        `app server: --log-level ${logLevel}${logLevel === "info" ? "" : " (request logging off; pass --log-level info to include it)"}; ` +
          `GetAll body ${Math.round(json.bytes.length / 1024)} KiB (XML ${Math.round(xmlList.bytes.length / 1024)} KiB, $select=UserId,Present ${Math.round(selected.bytes.length / 1024)} KiB); ` +
          `${connections} connections, pipelining ${pipelining}`,
      );

      await ctx.measure(
        { name: "bare GetAll", server: bare, path: GET_ALL, headers: auth },
        {
          name: "GetAll (1,000 users)",
          server: app,
          path: GET_ALL,
          headers: auth,
          baseline: "bare GetAll",
          target: { minRatio: 0.9 },
        },
      );
      const wide = { connections: 32 };
      await ctx.measure(
        {
          name: "bare GetAll, 32 connections",
          server: bare,
          path: GET_ALL,
          headers: auth,
          settings: wide,
        },
        {
          name: "GetAll (1,000 users), 32 connections",
          server: app,
          path: GET_ALL,
          headers: auth,
          settings: wide,
          baseline: "bare GetAll, 32 connections",
          target: { minRatio: 0.9 },
        },
      );
      await ctx.measure(
        {
          name: "bare Agents $select",
          server: bare,
          method: "POST",
          path: AGENTS_GET,
          headers: auth,
        },
        {
          name: "Agents GetChatPresence $select=UserId,Present",
          server: app,
          method: "POST",
          path: AGENTS_GET + SELECT,
          headers: auth,
          baseline: "bare Agents $select",
          target: { minRatio: 0.5 },
        },
      );
      await ctx.measure(
        { name: "bare GetAll XML", server: bare, path: BARE_XML, headers: xml },
        {
          name: "GetAll XML (1,000 users)",
          server: app,
          path: GET_ALL,
          headers: xml,
          baseline: "bare GetAll XML",
          target: { minRatio: 0.5 },
        },
      );

      const post = { ...auth, "content-type": "application/json; charset=utf-8" };
      const bareSaves = new SaveSequence(app.info.users);
      const saves = new SaveSequence(app.info.users);
      const [, saveRow, floorRow] = await ctx.measure(
        {
          name: "bare SaveAll",
          server: bare,
          method: "POST",
          path: SAVE_ALL,
          headers: post,
          nextBody: () => bareSaves.body(),
        },
        {
          name: "SaveAll (10 entries)",
          server: app,
          method: "POST",
          path: SAVE_ALL,
          headers: post,
          nextBody: () => saves.body(),
          beforeRun: async () => {
            await saves.sync(app.info.url, auth);
          },
          baseline: "bare SaveAll",
          target: { minRate: 5000, minRatio: 0.5 },
        },
        {
          name: "floor: bare SaveAll + durable SQLite write",
          server: floor,
          method: "POST",
          path: SAVE_ALL,
          headers: post,
          nextBody: () => bareSaves.body(),
          baseline: "bare SaveAll",
        },
      );
      if (saveRow && floorRow?.reqPerSec && saveRow.reqPerSec !== null) {
        const ofFloor = saveRow.reqPerSec / floorRow.reqPerSec;
        saveRow.target = {
          ...saveRow.target,
          checks: [{ label: `≥ 0.7x floor (${ofFloor.toFixed(2)}x)`, pass: ofFloor >= 0.7 }],
        };
      }
      // Every save flipped its users, so afterwards only saves abandoned in flight may differ.
      const differing = await saves.sync(app.info.url, auth);
      if (differing > connections * pipelining * BATCH)
        throw new Error(`SaveAll: ${differing} users not in the state the saves set`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
