/**
 * Consistent reads on a shared PostgreSQL store without a round trip each: two nodes (two
 * pools, two buses, two service layers) on one schema. A save acknowledged on A is in every
 * GetAll that B starts afterwards, even while B is busy with a stream of other GetAlls whose
 * freshness checks started before the save; a save on B never undoes a directory change A
 * logged before it; and concurrent GetAlls share checks.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../src/domain/presence.ts";
import { parseSeed } from "../src/domain/seed.ts";
import type { MessageBus } from "../src/events/messages.ts";
import { createServices, type Services } from "../src/service/services.ts";
import { openPostgresBackend } from "../src/store/postgres/store.ts";
import type { Store } from "../src/store/store.ts";
import { announceSkip, PG_URL, scratchSchema } from "./support/postgres.ts";

const skip = await announceSkip("cluster reads");
const ADMIN: Actor = { userId: 1, username: "admin", role: "admin" };

/**
 * A loopback proxy to PostgreSQL that delays every answer by `delayMs`: a node behind it has
 * a slow database link, so its checks take long enough to overlap saves made elsewhere.
 */
async function slowLink(delayMs: number): Promise<{ port: number; close(): void }> {
  const target = new URL(PG_URL);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
    }
    client.pipe(upstream);
    upstream.on("data", (chunk) => setTimeout(() => client.write(chunk), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

type Node = Services & { store: Store; messageBus: MessageBus };

/** One node's services, with the store they run on (closed after the test). */
async function node(url: string): Promise<Node> {
  const { store, bus, messageBus } = await openPostgresBackend({ url });
  return Object.assign(createServices(store, { bus, messageBus, shared: true }), {
    store,
    messageBus,
  });
}

function presentOf(services: Services, userId: number): Promise<boolean | undefined> {
  return services.presence
    .getAll()
    .then((s) => s.presence.find((p) => p.UserId === userId)?.Present);
}

describe("reads across two nodes on one PostgreSQL", { skip }, () => {
  const scratch = scratchSchema();
  let a: Node;
  let b: Node;
  let link: Awaited<ReturnType<typeof slowLink>>;

  before(async () => {
    a = await node(scratch.url);
    await a.directory.importSeed(
      parseSeed({
        users: Array.from({ length: 50 }, (_, i) => ({
          id: i + 1,
          username: `u${i + 1}`,
          admin: i === 0,
        })),
        topics: [{ id: 5, name: "late joiners" }],
      }),
    );
    link = await slowLink(15);
    const slow = new URL(scratch.url);
    slow.hostname = "127.0.0.1";
    slow.port = String(link.port);
    b = await node(slow.toString());
  });
  after(async () => {
    for (const s of [a, b]) {
      await s?.bus.close();
      await s?.messageBus.close();
      await s?.store.close();
    }
    link?.close();
    await scratch.drop();
  });

  it("read-your-writes stays exact while other GetAlls keep B's checks busy", async () => {
    let stop = false;
    // Background load: GetAlls on B that never pause, so a check is almost always in flight.
    const load = Array.from({ length: 16 }, async () => {
      while (!stop) await b.presence.getAll();
    });
    try {
      for (let round = 0; round < 40; round++) {
        const present = round % 2 === 0;
        const userId = 2 + (round % 5);
        await a.presence.save(ADMIN, [{ userId, present }]);
        const seen = await Promise.all(Array.from({ length: 8 }, () => presentOf(b, userId)));
        assert.deepEqual(seen, Array(8).fill(present), `round ${round}`);
      }
    } finally {
      stop = true;
      await Promise.all(load);
    }
  });

  it("a save on B before B has heard of a membership change made on A keeps that change", async () => {
    await b.presence.getAll();
    const rights = { canListen: true, canRespond: false, canManage: false, canNotify: false };
    for (let userId = 10; userId < 20; userId++) {
      await a.topics.addMember(ADMIN, 5, { user: userId, ...rights });
      // B's snapshot lends this save's event the ChatTopics it has: most likely the old ones.
      await b.presence.save(ADMIN, [{ userId, present: true }]);
      const entry = (await b.presence.getAll()).presence.find((p) => p.UserId === userId);
      assert.deepEqual([entry?.Present, entry?.ChatTopics], [true, [5]], `user ${userId}`);
    }
  });

  it("N concurrent GetAlls on a node cost far fewer than N freshness checks", async () => {
    const before = b.presence.freshness.runs;
    const n = 400;
    await Promise.all(Array.from({ length: n }, () => b.presence.getAll()));
    const checks = b.presence.freshness.runs - before;
    console.log(`coalesced reads: ${n} concurrent GetAlls, ${checks} freshness checks`);
    assert.ok(checks >= 1 && checks <= 3, `${checks} checks for ${n} GetAlls`);
  });
});
