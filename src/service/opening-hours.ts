/**
 * Topic opening hours, as REST's ChatTopic/{id}/IsOpen, Agents' and SOAP's IsWithinOpeningHours
 * ask for them. The rule itself (zones, daylight saving, lunch) is in domain/opening-hours.ts.
 */
import { isOpenAt } from "../domain/opening-hours.ts";
import type { Store } from "../store/store.ts";

/** Whether the topic is open at `at`; null when there is no such topic. */
export async function topicOpenAt(
  store: Store,
  topicId: number,
  at: Date,
): Promise<boolean | null> {
  const topic = await store.getTopic(topicId);
  return topic ? isOpenAt(topic.openingHoursEnabled, topic.openingHours, at) : null;
}

/** IsWithinOpeningHours: a topic that does not exist is not open. */
export async function isTopicOpen(store: Store, topicId: number, at: Date): Promise<boolean> {
  return (await topicOpenAt(store, topicId, at)) ?? false;
}
