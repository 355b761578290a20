/** MessageService on two PostgreSQL nodes: a follower on one gets what is posted on both. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADA, type Backend, CY, collector, postgres, seed } from "./chat-messages-support.ts";
import { announceSkip, scratchSchema } from "./postgres.ts";

const skip = await announceSkip("MessageService across nodes");

describe("MessageService: followers on another PostgreSQL node", { skip }, () => {
  const nodes: Awaited<ReturnType<Backend["open"]>>[] = [];
  const cross = scratchSchema();
  before(async () => {
    nodes.push(await postgres(false, cross.url).open(), await postgres(false, cross.url).open());
    await seed(nodes[0].services.store);
  });
  after(async () => {
    for (const node of nodes) await node.close();
    await cross.drop();
  });

  it("messages posted on both nodes reach a follower on one, each once and in id order", async () => {
    const [a, b] = nodes.map((n) => n.services);
    for (let round = 0; round < 5; round++) {
      const { id } = await a.sessions.create({ topicId: 10 });
      const followed = collector(30);
      const stop = await b.messages.follow(CY, id, 0, followed.listener);
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 ? a : b).messages.post(ADA, id, { type: "ToUser", message: `${round}:${i}` }),
        ),
      );
      await followed.complete;
      stop();
      const stored = await a.store.listMessages(id, { after: 0, limit: 100 });
      assert.deepEqual(
        followed.got.map((m) => m.id),
        stored.map((m) => m.id),
        `round ${round}`,
      );
    }
  });
});
