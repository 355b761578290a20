/**
 * Routing decisions raced from two stores on one database (as two nodes are), round after
 * round: two offerers, two acceptors and a picker, a lapse against an accept, and several
 * ways of giving one agent at their limit a chat. Each round must end as some serial order of
 * the same calls would: never a session offered or assigned twice, never an agent over a limit.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pickUp } from "../../src/domain/session.ts";
import type { Store } from "../../src/store/store.ts";
import { queueSessions, routedTopic, TWO_NODES } from "../support/routing.ts";
import { directory } from "../support/store-contract.ts";

const ROUNDS = 30;
const T0 = 1_800_000_000_000;
const LATER = T0 + 60_000;

const won = (results: unknown[]) =>
  results.filter((r) => r !== null && !(r as { refused?: string }).refused);

for (const backend of TWO_NODES) {
  describe(`routing races: ${backend.name}`, { skip: backend.skip }, () => {
    async function withNodes(work: (a: Store, b: Store) => Promise<void>) {
      const opened = await backend.open();
      try {
        await opened.nodes[0].importDirectory(directory());
        await work(...opened.nodes);
      } finally {
        await opened.close();
      }
    }

    it("two nodes offering the same sessions to the same agents: one offer each", async () => {
      await withNodes(async (a, b) => {
        const { topicId, agents } = await routedTopic(a, ROUNDS * 2);
        for (let round = 0; round < ROUNDS; round++) {
          const [s1, s2] = await queueSessions(a, topicId, 2, T0);
          const [x, y] = agents.slice(round * 2, round * 2 + 2);
          const offers = await Promise.all([
            a.offerSession(s1, x, T0, LATER),
            b.offerSession(s1, y, T0, LATER),
            b.offerSession(s2, x, T0, LATER),
            a.offerSession(s2, y, T0, LATER),
          ]);
          const made = won(offers) as { chatSessionId: number; userId: number }[];
          assert.equal(made.length, 2, `round ${round}: both sessions offered`);
          assert.equal(new Set(made.map((o) => o.chatSessionId)).size, 2, "a session offered once");
          assert.equal(new Set(made.map((o) => o.userId)).size, 2, "an agent offered once");
          const stored = await a.topicOffers(topicId);
          assert.equal(
            stored.filter((o) => o.chatSessionId === s1 || o.chatSessionId === s2).length,
            2,
          );
        }
      });
    });

    it("two accepts of one offer and a pick-up of its session: exactly one takes it", async () => {
      await withNodes(async (a, b) => {
        const { topicId, agents } = await routedTopic(a, ROUNDS * 2);
        for (let round = 0; round < ROUNDS; round++) {
          const [s, next] = await queueSessions(a, topicId, 2, T0);
          const [offered, picker] = agents.slice(round * 2, round * 2 + 2);
          await a.offerSession(s, offered, T0, LATER);
          const [first, second, picked, nextOffer] = await Promise.all([
            a.acceptOffer(s, offered, T0 + 1),
            b.acceptOffer(s, offered, T0 + 1),
            b.updateSessionIf(s, pickUp(picker, T0 + 1)),
            // A node offering the agent their next session meanwhile: refused while the first is
            // open, made once it is accepted; never a deadlock.
            a.offerSession(next, offered, T0 + 1, LATER),
          ]);
          const results = [first, second, picked];
          assert.equal(won(results).length, 1, `round ${round}: one winner`);
          const open = await a.offersOf(offered);
          assert.ok(open.length <= 1, "never two offers to the agent");
          if (nextOffer) assert.deepEqual(open, [nextOffer]);
          const session = await b.getSession(s);
          assert.equal(session?.status, "UserLast");
          const winner = "session" in (results[0] as object) || "session" in (results[1] as object);
          assert.equal(session?.user?.id, winner ? offered : picker);
        }
      });
    });

    it("a lapse against an accept of the same offer: the offer ends once", async () => {
      await withNodes(async (a, b) => {
        const { topicId, agents } = await routedTopic(a, ROUNDS);
        for (let round = 0; round < ROUNDS; round++) {
          const [s] = await queueSessions(a, topicId, 1, T0);
          await a.offerSession(s, agents[round], T0, T0 + 1_000);
          const [lapsed, taken] = await Promise.all([
            a.lapseOffers(T0 + 1_000),
            b.acceptOffer(s, agents[round], T0 + 999),
          ]);
          const took = "session" in taken ? 1 : 0;
          assert.equal(lapsed.length + took, 1, `round ${round}: lapsed or accepted, not both`);
          assert.equal((await a.getSession(s))?.status, took ? "UserLast" : "InQueue");
        }
      });
    });

    it("two nodes lapsing the same expired offers: each lapses once, one miss each", async () => {
      await withNodes(async (a, b) => {
        const { topicId, agents } = await routedTopic(a, 4);
        for (let round = 0; round < ROUNDS; round++) {
          const sessions = await queueSessions(a, topicId, 4, T0);
          for (const [i, s] of sessions.entries()) await a.offerSession(s, agents[i], T0, T0 + 1);
          const [x, y] = await Promise.all([a.lapseOffers(T0 + 1), b.lapseOffers(T0 + 1)]);
          const lapsed = [...x, ...y];
          assert.equal(lapsed.length, 4, `round ${round}: every offer lapsed`);
          assert.equal(new Set(lapsed.map((o) => o.chatSessionId)).size, 4, "each once");
          assert.ok(
            lapsed.every((o) => o.missedOffers === round + 1),
            "one miss per lapse",
          );
        }
      });
    });

    it("an agent at MaxChats 1 given chats by accept, assignment and pick-up at once holds one", async () => {
      await withNodes(async (a, b) => {
        const { topicId, agents } = await routedTopic(a, ROUNDS, { maxChats: 1 });
        for (let round = 0; round < ROUNDS; round++) {
          const agent = agents[round];
          const [s1, s2, s3, s4] = await queueSessions(a, topicId, 4, T0);
          await a.offerSession(s1, agent, T0, LATER);
          const results = await Promise.all([
            a.acceptOffer(s1, agent, T0 + 1),
            b.assignSession(s2, agent, T0 + 1),
            a.assignSession(s3, agent, T0 + 1),
            b.updateSessionIf(s4, pickUp(agent, T0 + 1)),
          ]);
          assert.equal(won(results).length, 1, `round ${round}: one chat given`);
          assert.equal((await b.presenceOf([agent]))[0].OngoingChats, 1);
        }
      });
    });
  });
}
