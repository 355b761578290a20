/**
 * Queue test helpers: a topic's measured accepts written as history (sessions that waited a
 * known time before an agent took them), topic settings as the ChatTopicEntity saves them,
 * opening hours that are never open, and the agents routing test topics make as actors.
 */
import { defaultOpeningHours, type OpeningHours } from "../../src/domain/opening-hours.ts";
import type { Actor } from "../../src/domain/presence.ts";
import { pickUp } from "../../src/domain/session.ts";
import type { TopicInput } from "../../src/domain/topic.ts";
import type { Store } from "../../src/store/store.ts";
import { queued } from "./store-contract.ts";

/**
 * `count` sessions of the topic, each queued an hour ago (a second apart) and taken `waitMs`
 * later by `takerId`: what the topic's wait measurement (SecondsPrAccept) averages.
 */
export async function measuredAccepts(
  store: Store,
  topicId: number,
  takerId: number,
  count: number,
  waitMs: number,
): Promise<void> {
  const from = Date.now() - 3_600_000;
  for (let i = 0; i < count; i++) {
    const session = await store.createSession(queued(topicId, from + i * 1000));
    await store.updateSessionIf(session.id, pickUp(takerId, from + i * 1000 + waitMs));
  }
}

/** Saves over the topic with these fields changed (settings merged into the stored ones). */
export async function changeTopic(
  store: Store,
  topicId: number,
  change: Partial<TopicInput>,
): Promise<void> {
  const topic = await store.getTopic(topicId);
  if (!topic) throw new Error(`no topic ${topicId}`);
  const { id: _id, maxChatsPerAgent: _limit, accepts: _accepts, ...input } = topic;
  await store.updateTopic(topicId, {
    ...input,
    ...change,
    settings: { ...input.settings, ...change.settings },
  });
}

/** Opening hours with every day closed. */
export function neverOpen(): OpeningHours {
  const hours = defaultOpeningHours();
  for (const day of Object.values(hours.days)) day.enabled = false;
  return hours;
}

/** An agent made by routedTopic, as the services see a caller. */
export const agentActor = (userId: number): Actor => ({
  userId,
  username: `agent${userId}`,
  role: "agent",
});

/** Sets who of `agents` is present: the first `present` of them. */
export async function presentAgents(store: Store, agents: number[], present: number) {
  await store.savePresence(agents.map((userId, i) => ({ userId, present: i < present })));
}
