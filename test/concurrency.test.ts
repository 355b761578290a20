/**
 * Concurrency: 100 parallel clients toggle their presence over REST, Agents and SOAP while
 * others read; the final state, by every protocol and in the store, is each user's last
 * acknowledged write. Then 100 clients race to pick up the same queued sessions over REST and
 * Agents: each session gets exactly one owner, the one whose pick-up was acknowledged.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Seed } from "../src/domain/seed.ts";
import { agentsSave, restSave, soapEnvelope, soapSave } from "./support/reliability.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const CLIENTS = 100;
const TOGGLES = 12;
const SESSIONS = 40;
const TOPIC = 10;

function seed(): Seed {
  const user = (id: number) => ({
    id,
    username: id === 1 ? "admin" : `agent${id}`,
    displayName: `User ${id}`,
    role: id === 1 ? ("admin" as const) : ("agent" as const),
    present: false,
    password: null,
    passwordHash: null,
  });
  const agents = Array.from({ length: CLIENTS }, (_, i) => i + 2);
  return {
    users: [user(1), ...agents.map(user)],
    topics: [{ id: TOPIC, name: "Race" }],
    members: agents.map((userId) => ({
      topicId: TOPIC,
      userId,
      canListen: true,
      canRespond: true,
      canManage: false,
      canNotify: false,
    })),
    sessions: Array.from({ length: SESSIONS }, (_, i) => ({
      id: 100 + i,
      topicId: TOPIC,
      userId: null,
      status: "InQueue" as const,
    })),
    appTokens: [],
  };
}

const shuffled = <T>(list: T[]) =>
  list
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);

describe(`${CLIENTS} parallel clients`, () => {
  let server: TestServer;
  const bearer = new Map<number, string>();
  const ticket = new Map<number, string>();
  let admin = "";
  before(async () => {
    server = await startTestServer({ seed: seed() as never });
    admin = `Bearer ${await server.services.auth.issue("bearer", 1)}`;
    for (let id = 2; id <= CLIENTS + 1; id++) {
      bearer.set(id, `Bearer ${await server.services.auth.issue("bearer", id)}`);
      ticket.set(id, await server.services.auth.issue("ticket", id));
    }
  });
  after(() => server.close());

  it("end with each user's last acknowledged presence, seen alike by REST, Agents, SOAP and the store", async () => {
    const last = new Map<number, boolean>();
    let acknowledged = 0;
    let readers = true;
    const reads: Promise<void>[] = [0, 1].map(async () => {
      while (readers) {
        const response = await server.fetch("/api/v1/Presence/GetAll", {
          headers: { Authorization: admin },
        });
        assert.equal(response.status, 200);
        await response.arrayBuffer();
      }
    });
    await Promise.all(
      [...bearer.keys()].map(async (id) => {
        for (let i = 0; i < TOGGLES; i++) {
          const present = Math.random() < 0.5;
          const via = (id + i) % 3;
          const ok =
            via === 2
              ? await soapSave(server.url, ticket.get(id) as string, id, present)
              : (via === 0
                  ? await restSave(server.url, bearer.get(id) as string, id, present)
                  : await agentsSave(server.url, bearer.get(id) as string, id, present)) === 204;
          assert.ok(ok, `save ${i} of user ${id} was acknowledged`);
          last.set(id, present);
          acknowledged++;
        }
      }),
    );
    readers = false;
    await Promise.all(reads);

    const rest = (await (
      await server.fetch("/api/v1/Presence/GetAll", { headers: { Authorization: admin } })
    ).json()) as { UserId: number; Present: boolean }[];
    const agents = (await (
      await server.fetch("/api/v1/Agents/Chat/GetChatPresence", {
        method: "POST",
        headers: { Authorization: admin },
      })
    ).json()) as { UserId: number; Present: boolean }[];
    const soapText = await (
      await server.fetch("/Remote/Services88/Chat.svc", {
        method: "POST",
        headers: { "Content-Type": "application/soap+xml" },
        body: soapEnvelope("<c:GetChatPresence/>", ticket.get(2)),
      })
    ).text();
    const soap = [
      ...soapText.matchAll(
        /<(?:\w+:)?UserId>(\d+)<\/(?:\w+:)?UserId>.*?<(?:\w+:)?Present>(true|false)</g,
      ),
    ].map((m) => ({ UserId: Number(m[1]), Present: m[2] === "true" }));
    const stored = (await server.store.listPresence()).map((p) => ({
      UserId: p.UserId,
      Present: p.Present,
    }));
    const expected = [...last].map(([UserId, Present]) => ({ UserId, Present }));
    for (const [name, list] of Object.entries({ rest, agents, soap, stored })) {
      const got = new Map(list.map((p) => [p.UserId, p.Present]));
      const wrong = expected.filter((e) => got.get(e.UserId) !== e.Present);
      assert.deepEqual(wrong, [], `${name} disagrees with the last acknowledged writes`);
    }
    console.log(
      `concurrency: ${acknowledged} saves by ${CLIENTS} parallel clients; final state equals the last acknowledged write for all ${last.size} users`,
    );
  });

  it("give each queued session exactly one owner when all race to pick it up", async () => {
    const winners = new Map<number, number[]>();
    let conflicts = 0;
    const sessionIds = Array.from({ length: SESSIONS }, (_, i) => 100 + i);
    await Promise.all(
      [...bearer.entries()].map(async ([id, authorization]) => {
        for (const sessionId of shuffled(sessionIds)) {
          const rest = id % 2 === 0;
          const response = rest
            ? await server.fetch(`/api/v1/ChatSession/${sessionId}/Pickup`, {
                method: "POST",
                headers: { Authorization: authorization },
              })
            : await server.fetch("/api/v1/Agents/Chat/PickUpChatSession", {
                method: "POST",
                headers: { Authorization: authorization, "Content-Type": "application/json" },
                body: JSON.stringify({ ChatSessionId: sessionId }),
              });
          const text = await response.text();
          const won = response.status === 200 && text !== "null" && text !== "";
          if (won) winners.set(sessionId, [...(winners.get(sessionId) ?? []), id]);
          else {
            assert.ok(
              response.status === 409 || (response.status === 200 && text === "null"),
              `${response.status} ${text}`,
            );
            conflicts++;
          }
        }
      }),
    );
    const owners = await Promise.all(
      sessionIds.map((sessionId) => server.store.getSession(sessionId)),
    );
    for (const [index, sessionId] of sessionIds.entries()) {
      const won = winners.get(sessionId) ?? [];
      assert.equal(won.length, 1, `session ${sessionId} was acknowledged to ${won.length} clients`);
      assert.equal(owners[index]?.user?.id, won[0], `session ${sessionId} belongs to its winner`);
      assert.equal(owners[index]?.status, "UserLast");
    }
    const ongoing = (await server.services.presence.getAll()).presence.reduce(
      (n, p) => n + p.OngoingChats,
      0,
    );
    assert.equal(ongoing, SESSIONS);
    console.log(
      `concurrency: ${CLIENTS} clients × ${SESSIONS} sessions = ${CLIENTS * SESSIONS} pick-ups; ${SESSIONS} won once each, ${conflicts} refused`,
    );
  });
});
