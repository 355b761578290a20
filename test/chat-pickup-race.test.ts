/**
 * Many clients picking up at once. For one session exactly one caller wins (REST
 * losers get 409, Agents losers null); for the first-in-queue pick-up every waiting session
 * goes to exactly one caller; an agent's own concurrent pick-ups stop at their MaxChats. Run
 * over SQLite and, when reachable, PostgreSQL.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { agents, call, presenceOf } from "./support/chat.ts";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import { basic, startTestServer, type TestServer } from "./support/server.ts";

const CLIENTS = 24;

/** Agents with CanRespond on topic 574, made through the API, each with a bearer token. */
async function respondingAgents(
  server: TestServer,
  count: number,
): Promise<{ id: number; auth: string }[]> {
  const admin = basic("tje0", "Tje0");
  const list: { id: number; auth: string }[] = [];
  for (let i = 0; i < count; i++) {
    const created = await call(server, admin, "POST", "/api/v1/ChatUser", {
      Username: `racer${i}`,
    });
    assert.equal(created.status, 201);
    const id = created.body.UserId as number;
    list.push({ id, auth: `Bearer ${await server.services.auth.issue("bearer", id)}` });
  }
  const members = list.map((a) => ({ User: { AssociateId: a.id }, CanRespond: true }));
  assert.equal(
    (await call(server, admin, "PUT", "/api/v1/ChatTopic/574/UserAgent", members)).status,
    200,
  );
  return list;
}

async function queue(server: TestServer, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(
      (await call(server, basic("ocon", "s3cret-pw"), "POST", "/api/v1/ChatTopic/574/Sessions"))
        .body.ChatSessionId,
    );
  }
  return ids;
}

/**
 * Every attempt at once, half by REST and half by Agents; how they ended: the callers who got a
 * session, REST's refusals, and Agents' nulls.
 */
async function pickUpAtOnce(server: TestServer, attempts: { auth: string; id: number }[]) {
  const replies = await Promise.all(
    attempts.map(({ auth, id }, i) =>
      i % 2 === 0
        ? call(server, auth, "POST", `/api/v1/ChatSession/${id}/Pickup`)
        : agents(server, auth, "PickUpChatSession", { ChatSessionId: id }),
    ),
  );
  return {
    winners: replies.filter((r) => r.status === 200 && r.body !== null),
    restLosers: replies.filter((r) => r.status === 409),
    agentsLosers: replies.filter((r) => r.status === 200 && r.body === null),
  };
}

function raceSuite(name: string, start: () => Promise<TestServer>, skip = false) {
  describe(`concurrent pick-up: ${name}`, { skip }, () => {
    let server: TestServer;
    let racers: { id: number; auth: string }[];
    before(async () => {
      server = await start();
      racers = await respondingAgents(server, CLIENTS);
    });
    after(() => server?.close());

    it(`${CLIENTS} clients pick up one session at once: exactly one wins, each round`, async () => {
      for (let round = 0; round < 5; round++) {
        const [id] = await queue(server, 1);
        const { winners, restLosers, agentsLosers } = await pickUpAtOnce(
          server,
          racers.map(({ auth }) => ({ auth, id })),
        );
        assert.equal(winners.length, 1, `round ${round}: one winner`);
        assert.equal(
          restLosers.length + agentsLosers.length,
          CLIENTS - 1,
          "everyone else lost cleanly",
        );
        assert.ok(restLosers.every((r) => r.body.ErrorCode === "PRES_ERR_NOT_IN_QUEUE"));
        const winner = winners[0].body.User.AssociateId;
        const stored = await server.store.getSession(id);
        assert.deepEqual([stored?.status, stored?.user?.id], ["UserLast", winner]);
        assert.equal((await presenceOf(server, winner)).OngoingChats >= 1, true);
      }
      const total = await Promise.all(racers.map((r) => presenceOf(server, r.id)));
      assert.equal(
        total.reduce((sum, p) => sum + p.OngoingChats, 0),
        5,
        "five chats, counted once each",
      );
    });

    it("first-in-queue pick-ups hand each waiting session to exactly one caller", async () => {
      const waiting = await queue(server, 8);
      const replies = await Promise.all(
        racers.map((racer, i) =>
          i % 2 === 0
            ? call(server, racer.auth, "POST", "/api/v1/ChatSession/Pickup")
            : agents(server, racer.auth, "PickUpFirstChatSession"),
        ),
      );
      assert.ok(replies.every((r) => r.status === 200));
      const picked = replies
        .filter((r) => r.body !== null)
        .map((r) => r.body.ChatSessionId as number);
      assert.equal(picked.length, 8);
      assert.deepEqual(
        [...picked].sort((a, b) => a - b),
        waiting,
      );
      const owners = new Set(
        replies.filter((r) => r.body !== null).map((r) => r.body.User.AssociateId),
      );
      assert.equal(owners.size, 8, "no caller got two");
    });

    it("an agent with room for 2 more: of 10 concurrent pick-ups 2 win, the rest AT_CAPACITY / null", async () => {
      for (let round = 0; round < 5; round++) {
        const racer = racers[round];
        const ongoing = (await presenceOf(server, racer.id)).OngoingChats;
        const limit = await call(
          server,
          basic("tje0", "Tje0"),
          "PUT",
          `/api/v1/ChatUser/${racer.id}`,
          {
            MaxChats: ongoing + 2,
          },
        );
        assert.equal(limit.status, 200);
        const ids = await queue(server, 10);
        const { winners, restLosers, agentsLosers } = await pickUpAtOnce(
          server,
          ids.map((id) => ({ auth: racer.auth, id })),
        );
        assert.equal(winners.length, 2, `round ${round}: two winners`);
        assert.equal(restLosers.length + agentsLosers.length, 8, `round ${round}: eight refused`);
        assert.ok(restLosers.every((r) => r.body.ErrorCode === "PRES_ERR_AT_CAPACITY"));
        assert.equal((await presenceOf(server, racer.id)).OngoingChats, ongoing + 2);
        for (const id of ids) await server.store.deleteSession(id);
      }
    });
  });
}

raceSuite("sqlite", () => startTestServer());

const skip = await announceSkip("concurrent pick-up");
const scratch = scratchSchema();
raceSuite(
  "postgres",
  async () => {
    const server = await startTestServer({ db: scratch.url });
    const close = server.close;
    return {
      ...server,
      async close() {
        await close();
        await scratch.drop();
      },
    };
  },
  skip,
);
