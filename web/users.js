// The list of chat users: one row per user and, in it, one chip per topic, each kept by its id
// so that an update rewrites only what it changes (a topic's name reaches just the chips that
// show that topic). Data reaches the page through textContent only.

import { $, element, setText } from "./dom.js";
import { api, isSignedInUser, mayChange, signedInUser } from "./session.js";

/**
 * UserId → { presence, row, parts, chips, pending, changes, queue }: parts are the row's
 * elements that change, chips its topic chips by topic id, pending the saves in flight,
 * changes the change events seen, queue the chain that sends this row's saves in order.
 */
const users = new Map();
/** Topic id → name; null while unknown (then the id is shown). */
const topicNames = new Map();

export function userEntry(userId) {
  return users.get(userId);
}

/** The ids of the topics the users belong to. */
export function knownTopicIds() {
  return [...topicNames.keys()];
}

export function displayName(presence) {
  return presence.DisplayName || `User ${presence.UserId}`;
}

export function topicName(id) {
  return topicNames.get(id) ?? `Topic ${id}`;
}

export function clearUsers() {
  users.clear();
  topicNames.clear();
  $("users").replaceChildren();
  renderTopicFilter();
}

// ---- Users --------------------------------------------------------------------------------

/** Drops the rows of users the server no longer lists. */
export function removeUsersExcept(userIds) {
  for (const [id, entry] of users) {
    if (!userIds.has(id)) {
      entry.row.remove();
      users.delete(id);
    }
  }
}

/** Merges what is known of a user into its row (built on first sight) and renders it. */
export function upsertUser(presence) {
  let entry = users.get(presence.UserId);
  if (entry) {
    entry.presence = { ...entry.presence, ...presence };
  } else {
    const { row, parts } = buildRow(presence.UserId);
    entry = {
      presence,
      row,
      parts,
      chips: new Map(),
      pending: 0,
      changes: 0,
      queue: Promise.resolve(),
    };
    users.set(presence.UserId, entry);
  }
  renderUser(entry);
  return entry;
}

// ---- Rows ----------------------------------------------------------------------------------

function buildRow(userId) {
  const row = element("li", "user");
  row.dataset.userId = String(userId);
  const parts = {
    name: element("span", "name"),
    you: element("span", "you", "You"),
    meta: element("span", "meta"),
    chats: element("p", "chats"),
    chatCount: element("span", "num"),
    chatNoun: document.createTextNode(""),
    topics: element("ul", "topics"),
    noTopics: element("li", "chip none", "No topics"),
    toggle: element("label", "toggle"),
    input: document.createElement("input"),
    whose: element("span", "visually-hidden"),
  };
  const dot = element("span", "dot");
  dot.setAttribute("aria-hidden", "true");
  const nameLine = element("span", "name-line");
  nameLine.append(parts.name, parts.you);
  const text = element("span", "who-text");
  text.append(nameLine, parts.meta);
  const who = element("div", "who");
  who.append(dot, text);
  parts.chats.append(parts.chatCount, parts.chatNoun);
  parts.input.type = "checkbox";
  parts.input.setAttribute("role", "switch");
  parts.toggle.append(parts.input, element("span", "toggle-label", "Present"), parts.whose);
  row.append(who, parts.chats, parts.topics, parts.toggle);
  return { row, parts };
}

/** Brings one user's row up to date with entry.presence and its saves in flight. */
export function renderUser(entry) {
  const { presence, row, parts } = entry;
  const name = displayName(presence);
  const own = isSignedInUser(presence.UserId);
  row.dataset.present = String(presence.Present);
  row.classList.toggle("own", own);
  setText(parts.name, name);
  parts.you.hidden = !own;
  setText(parts.meta, `${presence.Present ? "Present" : "Away"} · #${presence.UserId}`);
  renderChats(parts, presence.OngoingChats ?? 0);
  renderTopicChips(entry, name);
  renderToggle(entry, name);
}

function renderChats(parts, count) {
  setText(parts.chatCount, String(count));
  setText(parts.chatNoun, ` ongoing chat${count === 1 ? "" : "s"}`);
  parts.chats.classList.toggle("zero", count === 0);
}

/** Keeps the chip of every topic the row still shows; builds chips only for new topics. */
function renderTopicChips(entry, name) {
  const { parts } = entry;
  // A user is a member of a topic at most once, so a topic id names one chip in a row.
  const ids = entry.presence.ChatTopics ?? [];
  const chips = new Map(ids.map((id) => [id, keptChip(entry, id) ?? topicChip(id)]));
  entry.chips = chips;
  parts.topics.setAttribute("aria-label", `Topics of ${name}`);
  const wanted = chips.size ? [...chips.values()] : [parts.noTopics];
  const current = [...parts.topics.children];
  if (wanted.length !== current.length || wanted.some((chip, i) => chip !== current[i]))
    parts.topics.replaceChildren(...wanted);
}

function keptChip(entry, id) {
  const chip = entry.chips.get(id);
  if (chip) setText(chip, topicName(id));
  return chip;
}

function topicChip(id) {
  const chip = element("li", "chip", topicName(id));
  chip.dataset.topicId = String(id);
  return chip;
}

function renderToggle(entry, name) {
  const { input, toggle, whose } = entry.parts;
  const allowed = mayChange(entry.presence.UserId);
  // While a save is in flight the switch shows the user's click, not the last known state.
  if (entry.pending === 0) input.checked = entry.presence.Present;
  input.disabled = !allowed;
  input.setAttribute("aria-busy", String(entry.pending > 0));
  setText(whose, ` ${name}`);
  toggle.classList.toggle("locked", !allowed);
  toggle.title = allowed ? "" : "Only an admin can change someone else's presence";
}

export function renderWhoAmI() {
  const me = signedInUser();
  if (!me) return;
  $("whoami").textContent = users.get(me.UserId)?.presence.DisplayName || me.Username;
}

/** The signed-in user first, then by name. */
export function reorder() {
  const mine = signedInUser()?.UserId;
  const entries = [...users.values()].sort(
    (a, b) =>
      (b.presence.UserId === mine) - (a.presence.UserId === mine) ||
      displayName(a.presence).localeCompare(displayName(b.presence)) ||
      a.presence.UserId - b.presence.UserId,
  );
  $("users").append(...entries.map((entry) => entry.row));
}

export function flash(row) {
  row.classList.remove("changed");
  void row.offsetWidth; // restart the animation
  row.classList.add("changed");
}

// ---- Topics and filters --------------------------------------------------------------------

/** Names for topic ids from GET /api/v1/ChatTopic/{id} where the server has it; ids otherwise. */
export function learnTopics() {
  let added = false;
  for (const entry of users.values()) {
    for (const id of entry.presence.ChatTopics ?? []) {
      if (topicNames.has(id)) continue;
      topicNames.set(id, null);
      added = true;
      api(`api/v1/ChatTopic/${id}`).then(
        (topic) => {
          if (typeof topic?.Name === "string" && topic.Name) renameTopic(id, topic.Name);
        },
        () => undefined,
      );
    }
  }
  if (added) renderTopicFilter();
}

/** Rewrites the chips that show this topic; rows without it are left as they are. */
function renameTopic(id, name) {
  topicNames.set(id, name);
  for (const entry of users.values()) {
    const chip = entry.chips.get(id);
    if (chip) setText(chip, name);
  }
  renderTopicFilter();
}

function renderTopicFilter() {
  const select = $("filter-topic");
  const selected = select.value;
  const ids = [...topicNames.keys()].sort((a, b) =>
    topicName(a).localeCompare(topicName(b), undefined, { numeric: true }),
  );
  const options = ids.map((id) => {
    const option = element("option", "", topicName(id));
    option.value = String(id);
    return option;
  });
  const all = element("option", "", "All topics");
  all.value = "";
  select.replaceChildren(all, ...options);
  select.value = ids.some((id) => String(id) === selected) ? selected : "";
}

export function applyFilters() {
  const topic = $("filter-topic").value;
  const presence = $("filter-present").value;
  let shown = 0;
  let present = 0;
  for (const { presence: p, row } of users.values()) {
    const visible =
      (topic === "" || (p.ChatTopics ?? []).includes(Number(topic))) &&
      (presence === "" || p.Present === (presence === "present"));
    row.hidden = !visible;
    if (visible) shown++;
    if (p.Present) present++;
  }
  const total = users.size;
  $("empty").hidden = shown > 0 || total === 0;
  $("count").textContent =
    shown === total
      ? `${total} user${total === 1 ? "" : "s"}, ${present} present`
      : `Showing ${shown} of ${total} users, ${present} present`;
}
