/**
 * Soak: `npm run soak [-- --minutes 10 --clients 16]`. Starts a real server process on a fresh
 * SQLite file and drives mixed load at it for the set time (reads, saves over REST, Agents and
 * SOAP, history, change streams opened and closed, session pick-ups and resets). Reports the
 * error count, p99 latency per window and its drift, and the server's RSS growth after warm-up
 * (read from /metrics). Exits 1 when a request failed or RSS grew more than --max-rss-growth %.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnServer } from "./support/processes.ts";
import { soapEnvelope, soapSaveBody, soapSignIn } from "./support/reliability.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    clients: { type: "string", default: "16" },
    users: { type: "string", default: "500" },
    "max-rss-growth": { type: "string", default: "10" },
    out: { type: "string" },
  },
});
const MINUTES = Number(values.minutes);
const CLIENTS = Number(values.clients);
const USERS = Number(values.users);
const TOKEN = "soak-metrics-token-0123456789";
const durationMs = MINUTES * 60_000;
const warmupMs = Math.min(60_000, durationMs * 0.1);
const windowMs = Math.max(5_000, Math.min(60_000, durationMs / 10));

const dir = mkdtempSync(join(tmpdir(), "chat-presence-soak-"));
const seedPath = join(dir, "seed.json");
const users = [{ id: 1, username: "admin", password: "admin-pw", admin: true }];
// Agents 2..51 answer chats in topic 10 and sign in with a password; the rest never sign in.
for (let id = 2; id <= USERS; id++)
  users.push({
    id,
    username: `agent${id}`,
    password: (id <= 51 ? "agent-pw" : null) as never,
    admin: false,
  });
const members = users
  .slice(1, 51)
  .map((u) => ({ userId: u.id, canRespond: true, canListen: true }));
writeFileSync(seedPath, JSON.stringify({ users, topics: [{ id: 10, name: "Soak", members }] }));

const server = await spawnServer(
  ["serve", "--port", "0", "--db", join(dir, "soak.db"), "--seed", seedPath, "--log-level", "warn"],
  { METRICS_TOKEN: TOKEN },
);
const base = server.url;
const ticket = (await soapSignIn(base, "admin", "admin-pw")).ticket as string;
// A ticket, not Basic: a verified Basic header is trusted for 60 s, then hashed again, and each
// scrypt run in a new libuv thread leaves its 16 MiB with that thread's malloc arena (bounded
// by the thread pool, but it would show as steps of RSS growth in a 10-minute run).
const ADMIN = `SoTicket ${ticket}`;
const SOAP_TYPE = { "Content-Type": "application/soap+xml; charset=utf-8" };

let heap = 0;
let heapTotal = 0;
let external = 0;
/** The server's RSS (and V8 heap in use, kept in `heap`) from its own /metrics. */
async function rss(): Promise<number> {
  const text = await (
    await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })
  ).text();
  heap = Number(/^nodejs_heap_used_bytes (\d+)/m.exec(text)?.[1] ?? 0);
  heapTotal = Number(/^nodejs_heap_total_bytes (\d+)/m.exec(text)?.[1] ?? 0);
  external = Number(/^nodejs_external_memory_bytes (\d+)/m.exec(text)?.[1] ?? 0);
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? 0);
}

const random = (n: number) => Math.floor(Math.random() * n);
const userId = () => 2 + random(USERS - 1);
type Op = () => Promise<Response>;
const json = { Authorization: ADMIN, "Content-Type": "application/json" };
const OPS: [number, string, Op][] = [
  [
    30,
    "GetAll",
    () => fetch(`${base}/api/v1/Presence/GetAll`, { headers: { Authorization: ADMIN } }),
  ],
  [
    15,
    "SaveAll",
    () =>
      fetch(`${base}/api/v1/Presence/SaveAll`, {
        method: "POST",
        headers: json,
        body: JSON.stringify([{ UserId: userId(), Present: Math.random() < 0.5 }]),
      }),
  ],
  [
    10,
    "Agents save",
    () =>
      fetch(`${base}/api/v1/Agents/Chat/SaveChatPresence`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({
          ChatPresence: [{ UserId: userId(), Present: Math.random() < 0.5 }],
        }),
      }),
  ],
  [
    10,
    "Agents get",
    () =>
      fetch(`${base}/api/v1/Agents/Chat/GetChatPresence?$select=UserId,Present`, {
        method: "POST",
        headers: { Authorization: ADMIN },
      }),
  ],
  [
    10,
    "SOAP save",
    () =>
      fetch(`${base}/Remote/Services88/Chat.svc`, {
        method: "POST",
        headers: SOAP_TYPE,
        body: soapEnvelope(
          soapSaveBody([{ userId: userId(), present: Math.random() < 0.5 }]),
          ticket,
        ),
      }),
  ],
  [
    5,
    "SOAP get",
    () =>
      fetch(`${base}/Remote/Services86/Chat.svc`, {
        method: "POST",
        headers: SOAP_TYPE,
        body: soapEnvelope("<c:GetChatPresence/>", ticket).replaceAll("Services88", "Services86"),
      }),
  ],
  [
    5,
    "History",
    () => fetch(`${base}/api/v1/Presence/History?limit=50`, { headers: { Authorization: ADMIN } }),
  ],
  [
    5,
    "Session",
    async () => {
      const created = await fetch(`${base}/api/v1/ChatSession`, {
        method: "POST",
        headers: json,
        body: '{"TopicId":10}',
      });
      const id = ((await created.json()) as { ChatSessionId: number }).ChatSessionId;
      const agent = `SoTicket ${await agentTicket(2 + random(50))}`;
      const pickup = await fetch(`${base}/api/v1/ChatSession/${id}/Pickup`, {
        method: "POST",
        headers: { Authorization: agent },
      });
      await pickup.arrayBuffer();
      if (pickup.status !== 200) throw new Error(`pick-up answered ${pickup.status}`);
      return fetch(`${base}/api/v1/ChatSession/${id}`, {
        method: "DELETE",
        headers: { Authorization: ADMIN },
      });
    },
  ],
  [
    5,
    "Stream",
    async () => {
      const controller = new AbortController();
      const response = await fetch(`${base}/api/v1/Presence/Stream?userId=${userId()}`, {
        headers: { Authorization: ADMIN },
        signal: controller.signal,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      controller.abort();
      return response;
    },
  ],
];
const EXPECTED: Record<string, number[]> = {};
const tickets = new Map<number, Promise<string>>();
/** Each agent signs in through SoPrincipal once; its ticket is reused for the whole run. */
function agentTicket(id: number): Promise<string> {
  let ticket = tickets.get(id);
  if (!ticket) {
    ticket = soapSignIn(base, `agent${id}`, "agent-pw").then((r) => r.ticket as string);
    tickets.set(id, ticket);
  }
  return ticket;
}
// Every sign-in (an scrypt hash of 16 MiB, which the allocator keeps for reuse) happens before
// the RSS baseline, so the figure shows growth under steady load, not the cost of signing in.
for (let id = 2; id <= 51; id += 4)
  await Promise.all([0, 1, 2, 3].filter((i) => id + i <= 51).map((i) => agentTicket(id + i)));
const totalWeight = OPS.reduce((n, [w]) => n + w, 0);
function pick(): [string, Op] {
  let r = random(totalWeight);
  for (const [weight, name, op] of OPS) {
    if (r < weight) return [name, op];
    r -= weight;
  }
  return [OPS[0][1], OPS[0][2]];
}

interface Window {
  started: number;
  latencies: number[];
  rss: number;
}
const windows: Window[] = [];
let current: Window = { started: 0, latencies: [], rss: 0 };
let requests = 0;
const errors: Record<string, number> = {};
const started = performance.now();
const elapsed = () => performance.now() - started;

async function client() {
  while (elapsed() < durationMs) {
    const [name, op] = pick();
    const t0 = performance.now();
    try {
      const response = await op();
      if (!response.bodyUsed) await response.arrayBuffer().catch(() => undefined);
      const ok = (EXPECTED[name] ?? [200, 204]).includes(response.status);
      if (!ok)
        errors[`${name} ${response.status}`] = (errors[`${name} ${response.status}`] ?? 0) + 1;
    } catch (error) {
      const key = `${name} ${(error as Error).message}`;
      if ((error as Error).name !== "AbortError") errors[key] = (errors[key] ?? 0) + 1;
    }
    requests++;
    if (elapsed() >= warmupMs) current.latencies.push(performance.now() - t0);
  }
}

const p99 = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
};

console.log(
  `soak: ${MINUTES} min, ${CLIENTS} clients, ${USERS} users, warm-up ${warmupMs / 1000} s, windows of ${windowMs / 1000} s`,
);
const sampler = (async () => {
  await new Promise((r) => setTimeout(r, warmupMs));
  current = { started: elapsed(), latencies: [], rss: await rss() };
  while (elapsed() + windowMs <= durationMs + 1000) {
    await new Promise((r) => setTimeout(r, windowMs));
    const closing = current;
    current = { started: elapsed(), latencies: [], rss: await rss() };
    windows.push(closing);
    console.log(
      `  t=${(closing.started / 1000).toFixed(0)}s requests=${closing.latencies.length} p99=${p99(closing.latencies).toFixed(1)}ms rss=${(closing.rss / 1048576).toFixed(1)}MiB heap=${(heap / 1048576).toFixed(1)}/${(heapTotal / 1048576).toFixed(1)}MiB external=${(external / 1048576).toFixed(1)}MiB`,
    );
  }
})();
await Promise.all([...Array.from({ length: CLIENTS }, client), sampler]);
const finalRss = await rss();
await server.stop();
rmSync(dir, { recursive: true, force: true });

const baseline = windows[0]?.rss ?? finalRss;
const growth = ((finalRss - baseline) / baseline) * 100;
const firstP99 = p99(windows[0]?.latencies ?? []);
const lastP99 = p99(windows.at(-1)?.latencies ?? []);
const errorCount = Object.values(errors).reduce((n, c) => n + c, 0);
const report = {
  minutes: MINUTES,
  clients: CLIENTS,
  requests,
  errors: errorCount,
  errorKinds: errors,
  p99FirstWindowMs: Number(firstP99.toFixed(1)),
  p99LastWindowMs: Number(lastP99.toFixed(1)),
  p99DriftPercent: Number((((lastP99 - firstP99) / (firstP99 || 1)) * 100).toFixed(1)),
  rssAfterWarmupMiB: Number((baseline / 1048576).toFixed(1)),
  rssEndMiB: Number((finalRss / 1048576).toFixed(1)),
  rssGrowthPercent: Number(growth.toFixed(1)),
};
console.log(`soak result: ${JSON.stringify(report)}`);
if (values.out) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
const maxGrowth = Number(values["max-rss-growth"]);
if (errorCount > 0 || growth > maxGrowth) {
  console.error(
    `soak failed: ${errorCount} errors, RSS growth ${growth.toFixed(1)}% (limit ${maxGrowth}%)`,
  );
  process.exit(1);
}
