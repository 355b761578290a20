// The two series of a topic's chart over the last hours, read from history: present agents
// from the presence history of the topic's users (admins and the topic's managers may read
// it), the queue length from the routing event log. Each is a step series [[time ms, value], ...], oldest first, ending at `now`
// with the value shown now, so the chart's right edge always agrees with the live figures.

import { api } from "./session.js";

const PAGE = 10_000;

/** Every routing event of the topic since `since`, paged by afterId. */
async function routingEventsSince(topicId, since) {
  const events = [];
  for (let afterId = 0; ; ) {
    const page = await api(
      `api/v1/Routing/Events?topicId=${topicId}&since=${since}&afterId=${afterId}&limit=${PAGE}`,
    );
    events.push(...page);
    if (page.length < PAGE) return events;
    afterId = page[page.length - 1].Id;
  }
}

/** The topic's presence changes since `since`, paged by time (entries at a page's edge once). */
async function presenceHistorySince(topicId, since) {
  const byId = new Map();
  for (let from = since; ; ) {
    const page = await api(
      `api/v1/Presence/History?topicId=${topicId}&since=${from}&limit=${PAGE}`,
    );
    for (const entry of page) byId.set(entry.Id, entry);
    const next = Date.parse(page.at(-1)?.At);
    // A full page within one millisecond cannot be paged by time: the chart makes do with it.
    if (page.length < PAGE || !(next > from)) break;
    from = next;
  }
  return [...byId.values()].sort((a, b) => a.Id - b.Id);
}

/**
 * Queue length: a `queued` event says where the session stood (its Position, the length then
 * for a new session); an `assigned` or `left_queue` one (picked up, closed, deleted) takes a
 * session off. Where the window starts, the length is worked back from `nowLength`.
 */
export async function queueSeries(topicId, since, now, nowLength) {
  const events = (await routingEventsSince(topicId, since)).filter(
    (event) => event.Type === "queued" || event.Type === "assigned" || event.Type === "left_queue",
  );
  const delta = (event) => (event.Type === "queued" ? 1 : -1);
  let length = Math.max(0, nowLength - events.reduce((sum, event) => sum + delta(event), 0));
  const points = [[since, length]];
  for (const event of events) {
    const position = event.Type === "queued" ? event.Position : undefined;
    length = Number.isInteger(position) ? position : Math.max(0, length + delta(event));
    points.push([Date.parse(event.At), length]);
  }
  points.push([now, nowLength]);
  return points;
}

/**
 * Present agents: `nowCount` now (what the queue view shows), worked back through each
 * change: before it, the count was one less if the change made its user count (present with
 * the topic among theirs and, when `responders` is given, able to respond in it), one more if
 * it made them stop. Null when the history may not be read.
 */
export async function presentSeries(topicId, since, now, nowCount, responders) {
  let history;
  try {
    history = await presenceHistorySince(topicId, since);
  } catch (error) {
    if (error.status === 403) return null;
    throw error;
  }
  const counts = (userId, state) =>
    Boolean(state?.Present) &&
    (state.ChatTopics ?? []).includes(topicId) &&
    (!responders || responders.has(userId));
  let count = nowCount;
  const reversed = [[now, count]];
  for (const entry of [...history].reverse()) {
    reversed.push([Date.parse(entry.At), count]);
    const change =
      Number(counts(entry.UserId, entry)) - Number(counts(entry.UserId, entry.Previous));
    count = Math.max(0, count - change);
  }
  reversed.push([since, count]);
  return reversed.reverse();
}
