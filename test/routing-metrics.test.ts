/**
 * Routing's metrics on /metrics, on SQLite and PostgreSQL: offers counted once by how they
 * ended (accepted, declined, lapsed, withdrawn), the wait from queued to assigned as a
 * histogram by how the session was taken, and per topic the queue length, the oldest wait and
 * the utilisation of its agents, read when scraped.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Actor } from "../src/domain/presence.ts";
import { pickUp } from "../src/domain/session.ts";
import { ADMIN } from "./support/chat.ts";
import { describeHttpBackends } from "./support/http-backends.ts";
import { agentActor } from "./support/queue.ts";
import { queueSessions, routedTopic } from "./support/routing.ts";
import type { TestServer } from "./support/server.ts";

const ANNA: Actor = { userId: 1, username: "tje0", role: "admin" };

/** The value of one sample (`name{labels} value`), 0 when the series is not there. */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function scrape(server: TestServer): Promise<string> {
  const response = await server.fetch("/metrics", { headers: { Authorization: ADMIN } });
  assert.equal(response.status, 200);
  return response.text();
}

const offers = (outcome: string) => `chat_presence_routing_offers_total{outcome="${outcome}"}`;
const waits = (how: string) => `chat_presence_routing_wait_seconds_count{how="${how}"}`;

describeHttpBackends("routing metrics", {}, (server) => {
  it("counts each offer once by how it ended, and each assignment's wait", async () => {
    const { store, services } = server();
    const before = await scrape(server());
    const offer = { mode: "Offer" as const, offerSeconds: 600 };
    const accepting = await routedTopic(store, 1, { settings: offer });
    const declining = await routedTopic(store, 1, { settings: offer });
    const ghost = await routedTopic(store, 1, {
      settings: { ...offer, offerSeconds: 1, missedOffersBeforeAway: 1 },
    });
    const [accepted] = await queueSessions(store, accepting.topicId, 1);
    const [declined] = await queueSessions(store, declining.topicId, 1);
    await queueSessions(store, ghost.topicId, 1);
    for (const topic of [accepting, declining, ghost]) await services.routing.route(topic.topicId);
    await services.routing.settled();

    await services.routing.accept(agentActor(accepting.agents[0]), accepted);
    // Declined, it is offered to the lone agent again; an admin's pick-up withdraws that offer.
    await services.routing.decline(agentActor(declining.agents[0]), declined);
    await services.routing.settled();
    await services.sessions.pickUp(ANNA, declined);
    // The ghost's offer lapses after a second and, one miss being the limit, they are set away.
    const until = Date.now() + 5_000;
    while (sample(await scrape(server()), offers("lapsed")) === sample(before, offers("lapsed"))) {
      assert.ok(Date.now() < until, "the offer lapsed within 5 s");
      await sleep(100);
    }
    await sleep(1_500); // Time for a second lapse, had the ghost been offered it again.
    await services.routing.settled();

    const after = await scrape(server());
    const delta = (series: string) => sample(after, series) - sample(before, series);
    assert.equal(delta(offers("accepted")), 1);
    assert.equal(delta(offers("declined")), 1);
    assert.equal(delta(offers("withdrawn")), 1);
    assert.equal(delta(offers("lapsed")), 1);
    assert.equal(delta(waits("offer")), 1);
    assert.equal(delta(waits("pickup")), 1);
    assert.ok(sample(after, 'chat_presence_routing_wait_seconds_sum{how="offer"}') >= 0);
  });

  it("reads queue length, oldest wait and utilisation per topic when scraped, once a scrape", async () => {
    const { store } = server();
    const topic = await routedTopic(store, 2, { maxChats: 2 });
    const now = Date.now();
    await queueSessions(store, topic.topicId, 1, now - 90_000);
    await queueSessions(store, topic.topicId, 1, now - 30_000);
    const [chat] = await queueSessions(store, topic.topicId, 1, now - 10_000);
    await store.updateSessionIf(chat, pickUp(topic.agents[0], now));
    const text = await scrape(server());
    const label = `{topic="${topic.topicId}"}`;
    assert.equal(sample(text, `chat_presence_queue_length${label}`), 2);
    const oldest = sample(text, `chat_presence_queue_oldest_wait_seconds${label}`);
    assert.ok(oldest >= 89 && oldest <= 95, `oldest wait ${oldest} s`);
    // One agent has 1 of 2 chats, the other none: a mean fullness of a quarter.
    assert.equal(sample(text, `chat_presence_agent_utilisation${label}`), 0.25);

    await store.updateSessionIf(chat, { condition: {}, changes: { status: "Closed" } });
    await store.savePresence(topic.agents.map((userId) => ({ userId, present: false })));
    const later = await scrape(server());
    assert.equal(sample(later, `chat_presence_queue_length${label}`), 2);
    assert.ok(!later.includes(`chat_presence_agent_utilisation${label}`), "nobody present");
    // The three gauges share one read of the store per scrape.
    const reads = 'chat_presence_store_duration_seconds_count{operation="responderLoads"}';
    const third = await scrape(server());
    assert.equal(sample(third, reads) - sample(later, reads), 1);
  });
});
