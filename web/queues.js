// The queue view, for admins and topic managers: one card per topic they manage with its
// waiting sessions, the oldest wait, available / present agents, and a chart of the last
// hours. A topic's figures are read again whenever the routing stream reports a decision in
// it or the presence stream a change of one of its users, so the view stays live.

import { drawChart } from "./chart.js";
import { presentSeries, queueSeries } from "./chart-data.js";
import { $, element, setText } from "./dom.js";
import { onRoutingEvent } from "./routing-stream.js";
import { api, signedInUser } from "./session.js";
import { onPresenceChange } from "./stream.js";
import { knownTopicIds, topicName } from "./users.js";

const HOUR = 3_600_000;
const SHOWN_WAITING = 5;

/** TopicId → { card, parts, mode, queue, availability, readAt, timer, chart }. */
const topics = new Map();
/** Topics looked at and not shown (the signed-in user does not manage them): not asked again. */
const passed = new Set();
let handlers = null;
let stops = [];
let ticker = 0;
let ticks = 0;
let discovering = Promise.resolve();

export function startQueues(pageHandlers) {
  stopQueues();
  handlers = pageHandlers;
  stops = [
    onRoutingEvent((event) => {
      if (event.Type === "open") for (const id of topics.keys()) readSoon(id);
      else if (topics.has(event.TopicId)) readSoon(event.TopicId);
    }),
    onPresenceChange((change) => {
      if (change === null) return discover();
      // The user's own topics changed: a right to manage may have come.
      if (change.UserId === signedInUser()?.UserId) passed.clear();
      const touched = new Set([...change.ChatTopics, ...(change.Previous?.ChatTopics ?? [])]);
      for (const id of touched) if (topics.has(id)) readSoon(id);
      const unknown = [...touched].filter((id) => !topics.has(id) && !passed.has(id));
      if (unknown.length > 0) discover(unknown);
    }),
  ];
  ticker = setInterval(tick, 1000);
  discover();
}

export function stopQueues() {
  for (const stop of stops) stop();
  stops = [];
  clearInterval(ticker);
  for (const topic of topics.values()) clearTimeout(topic.timer);
  topics.clear();
  passed.clear();
  handlers = null;
  $("queue-list").replaceChildren();
  $("queues").hidden = true;
}

function failed(error, what) {
  handlers?.reportFailure(error, what);
}

// ---- Which topics --------------------------------------------------------------------------

/**
 * The caller's topics (an admin's also every topic a user is in), kept where they manage;
 * `seen` are topics a change mentioned, passed over unless they turn out to be the caller's.
 */
function discover(seen = []) {
  discovering = discovering.then(async () => {
    try {
      const own = await api("api/v1/ChatTopic/ForCurrentUser");
      const ids = new Set(own.map((topic) => topic.ChatTopicId));
      if (signedInUser()?.Role === "admin") for (const id of knownTopicIds()) ids.add(id);
      for (const id of ids) if (!topics.has(id) && !passed.has(id)) await tryTopic(id);
      for (const id of seen) if (!topics.has(id)) passed.add(id);
    } catch (error) {
      failed(error, "Could not read the topics");
    }
  });
}

/** Reading the topic's routing is allowed exactly to those who manage it. */
async function tryTopic(id) {
  let routing;
  try {
    routing = await api(`api/v1/ChatTopic/${id}/Routing`);
  } catch (error) {
    if (error.status === 403 || error.status === 404) return passed.add(id);
    throw error;
  }
  if (!handlers) return;
  const topic = { ...buildCard(id), mode: routing.Mode, queue: [], availability: null };
  topics.set(id, topic);
  const cards = [...topics.entries()].sort(([a], [b]) =>
    topicName(a).localeCompare(topicName(b), undefined, { numeric: true }),
  );
  $("queue-list").replaceChildren(...cards.map(([, t]) => t.card));
  $("queues").hidden = false;
  // The chart's right edge is the live figures: read them first.
  await readTopic(id);
  loadChart(topic, id);
}

// ---- Cards ---------------------------------------------------------------------------------

function stat(list, key, label) {
  const box = element("div", "stat");
  const value = element("dd", "stat-value", "–");
  value.dataset.stat = key;
  box.append(element("dt", "stat-label", label), value);
  list.append(box);
  return value;
}

function buildCard(id) {
  const card = element("li", "card queue-card");
  card.dataset.topicId = String(id);
  const name = element("h3", "queue-name");
  const mode = element("span", "chip mode");
  const head = element("div", "queue-head");
  head.append(name, mode);
  const stats = element("dl", "stats");
  const parts = {
    name,
    mode,
    waiting: stat(stats, "waiting", "Waiting"),
    oldest: stat(stats, "oldest", "Oldest wait"),
    agents: stat(stats, "agents", "Available / present agents"),
    estimate: stat(stats, "estimate", "Expected wait"),
    list: element("ol", "waiting"),
    svg: document.createElementNS("http://www.w3.org/2000/svg", "svg"),
  };
  parts.svg.setAttribute("role", "img");
  parts.svg.classList.add("chart");
  const legend = element("figcaption", "legend");
  legend.append(
    element("span", "key present", "Present agents"),
    element("span", "key queue", "Queue length"),
  );
  const figure = element("figure", "chart-box");
  figure.append(parts.svg, legend);
  card.append(head, stats, parts.list, figure);
  return { card, parts };
}

function readSoon(id) {
  const topic = topics.get(id);
  if (!topic) return;
  clearTimeout(topic.timer);
  topic.timer = setTimeout(() => readTopic(id), 150);
}

async function readTopic(id) {
  const topic = topics.get(id);
  try {
    const [queue, availability] = await Promise.all([
      api(`api/v1/ChatTopic/${id}/Queue`),
      // Availability may be cached briefly for widgets; the dashboard asks the server.
      api(`api/v1/Availability?topicId=${id}`, { cache: "no-cache" }),
    ]);
    if (topics.get(id) !== topic) return;
    Object.assign(topic, { queue, availability, readAt: Date.now() });
    renderCard(id, topic);
    extendChart(topic);
  } catch (error) {
    failed(error, `Could not read the queue of ${topicName(id)}`);
  }
}

const seconds = (s) => (s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`);

function renderCard(id, topic) {
  const { parts, queue, availability: a } = topic;
  setText(parts.name, topicName(id));
  setText(parts.mode, topic.mode);
  setText(parts.waiting, String(queue.length));
  setText(parts.agents, `${a.AgentsAvailable} / ${a.AgentsPresent}`);
  setText(parts.estimate, a.EstimatedWaitSeconds === null ? "–" : seconds(a.EstimatedWaitSeconds));
  const rows = queue.slice(0, SHOWN_WAITING).map((place) => {
    const who = place.OfferedTo
      ? ` · offered to ${place.OfferedTo.FullName || place.OfferedTo.Name}`
      : "";
    const row = element("li", "", `Chat ${place.ChatSessionId}${who}`);
    row.dataset.sessionId = String(place.ChatSessionId);
    return row;
  });
  if (queue.length > SHOWN_WAITING)
    rows.push(element("li", "more", `and ${queue.length - SHOWN_WAITING} more`));
  parts.list.replaceChildren(...rows);
  tick();
}

/** The oldest wait keeps counting between reads; the charts move on every half minute. */
function tick() {
  const redraw = ++ticks % 30 === 0;
  for (const topic of topics.values()) {
    if (redraw) drawTopicChart(topic);
    if (!topic.readAt) continue;
    const oldest = Math.max(0, ...topic.queue.map((place) => place.WaitingSeconds));
    const since = Math.floor((Date.now() - topic.readAt) / 1000);
    setText(topic.parts.oldest, topic.queue.length ? seconds(oldest + since) : "–");
  }
}

// ---- Chart ---------------------------------------------------------------------------------

function chartHours() {
  return Number($("chart-hours").value) || 4;
}

/** Both series from history; the live reads then extend them (extendChart). */
async function loadChart(topic, id) {
  const now = Date.now();
  const since = now - chartHours() * HOUR;
  try {
    const members = await api(`api/v1/ChatTopic/${id}/UserAgent`);
    const responders = new Set(members.filter((m) => m.CanRespond).map((m) => m.User?.AssociateId));
    const { AgentsPresent, QueueLength } = topic.availability;
    const [present, queue] = await Promise.all([
      presentSeries(id, since, now, AgentsPresent, responders),
      queueSeries(id, since, now, QueueLength),
    ]);
    topic.chart = { present, queue };
    topic.parts.svg.dataset.presentHistory = String(present !== null);
    extendChart(topic);
  } catch (error) {
    failed(error, `Could not read the history of ${topicName(id)}`);
  }
}

/** The figures just read become the chart's right edge. */
function extendChart(topic) {
  if (!topic.chart) return;
  const now = Date.now();
  const { chart, availability: a } = topic;
  chart.queue.push([now, a.QueueLength]);
  chart.present?.push([now, a.AgentsPresent]);
  drawTopicChart(topic);
}

/** Draws the window ending now (also between reads, so the chart moves on with time). */
function drawTopicChart(topic) {
  const { chart } = topic;
  if (!chart) return;
  const now = Date.now();
  const series = [{ className: "queue", label: "queue length", points: chart.queue }];
  if (chart.present)
    series.unshift({ className: "present", label: "present agents", points: chart.present });
  drawChart(topic.parts.svg, { from: now - chartHours() * HOUR, to: now, series });
}

/** A new span: every chart is read again from history. */
export function reloadCharts() {
  for (const [id, topic] of topics) loadChart(topic, id);
}
