// The chat presence dashboard: sign in with the session cookie, then a live list of chat users
// fed by the change stream. Data reaches the page through textContent only.

const STREAM_URL = "/api/v1/Presence/Stream";
const $ = (id) => document.getElementById(id);

const state = {
  /** The signed-in user: { UserId, Username, Role, XsrfToken }, or null. */
  me: null,
  /** UserId → { presence, row, pending, queue } */
  users: new Map(),
  /** Topic id → name; null while unknown (then the id is shown). */
  topics: new Map(),
  stream: null,
  retries: 0,
  retryTimer: 0,
};

function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1));
  }
  return "";
}

/**
 * JSON API call; a failure throws an Error with the server's Message, its ErrorCode and the
 * HTTP status.
 */
async function api(path, { method = "GET", body, headers: extra = {} } = {}) {
  const headers = { Accept: "application/json", "X-Requested-With": "XMLHttpRequest", ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET")
    headers["X-XSRF-TOKEN"] = readCookie("XSRF-TOKEN") || state.me?.XsrfToken || "";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      // The page sends no Referer elsewhere; to its own API it names its origin (Origin and
      // Referer), which the sign-in requires, in every browser.
      referrerPolicy: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw Object.assign(new Error("The server cannot be reached."), { status: 0 });
  }
  if (response.ok) return response.status === 204 ? null : response.json();
  let message = `${response.status} ${response.statusText}`.trim();
  let code = "";
  try {
    const error = await response.json();
    if (typeof error?.Message === "string" && error.Message) message = error.Message;
    if (typeof error?.ErrorCode === "string") code = error.ErrorCode;
  } catch {
    // Not a JSON error body: keep the status line.
  }
  throw Object.assign(new Error(message), { status: response.status, code });
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- Views ---------------------------------------------------------------------------------

function showSignIn(message = "") {
  state.me = null;
  closeStream();
  state.users.clear();
  state.topics.clear();
  $("users").replaceChildren();
  renderTopicFilter();
  $("dashboard").hidden = true;
  $("session").hidden = true;
  $("signin").hidden = false;
  $("login-error").textContent = message;
  $("password").value = "";
  $("username").focus();
}

function showDashboard(me) {
  state.me = me;
  $("signin").hidden = true;
  $("session").hidden = false;
  $("dashboard").hidden = false;
  $("role").textContent = me.Role === "admin" ? "Admin" : "Agent";
  showError("");
  renderWhoAmI();
  connect();
}

function renderWhoAmI() {
  if (!state.me) return;
  const own = state.users.get(state.me.UserId);
  $("whoami").textContent = own?.presence.DisplayName || state.me.Username;
}

function showError(message) {
  $("error-text").textContent = message;
  $("error").hidden = !message;
}

function setConnection(kind, text) {
  const conn = $("conn");
  conn.dataset.state = kind;
  conn.textContent = text;
}

// ---- Sign-in -------------------------------------------------------------------------------

let signingIn = false;
async function signIn(event) {
  event.preventDefault();
  if (signingIn) return;
  const Username = $("username").value.trim();
  const Password = $("password").value;
  if (!Username || !Password) {
    $("login-error").textContent = "Enter your username and password.";
    (Username ? $("password") : $("username")).focus();
    return;
  }
  signingIn = true;
  $("login-error").textContent = "";
  try {
    // An Online installation takes a password only with an application token (SO-AppToken).
    const appToken = $("apptoken").value.trim();
    const me = await api("/api/v1/Auth/Login", {
      method: "POST",
      body: { Username, Password },
      headers: appToken ? { "SO-AppToken": appToken } : {},
    });
    $("password").value = "";
    showDashboard(me);
    $("users-title").focus();
  } catch (error) {
    if (error.code === "PRES_ERR_APP_TOKEN") {
      const first = $("apptoken-field").hidden;
      $("apptoken-field").hidden = false;
      $("login-error").textContent = first
        ? "This server needs an application token to sign in."
        : "The application token is not registered.";
      $("apptoken").focus();
      return;
    }
    $("login-error").textContent =
      error.status === 401 ? "Wrong username or password." : error.message;
    $("password").select();
  } finally {
    signingIn = false;
  }
}

async function signOut() {
  try {
    await api("/api/v1/Auth/Logout", { method: "POST" });
  } catch {
    // Signed out either way: the cookies go with the session.
  }
  showSignIn();
}

// ---- The change stream ---------------------------------------------------------------------

function closeStream() {
  clearTimeout(state.retryTimer);
  state.stream?.close();
  state.stream = null;
}

function connect() {
  closeStream();
  if (!state.me) return;
  setConnection("connecting", "Connecting…");
  const source = new EventSource(STREAM_URL);
  state.stream = source;
  const current = (handler) => (event) => {
    if (state.stream === source) handler(event);
  };
  source.addEventListener(
    "snapshot",
    current((event) => {
      state.retries = 0;
      applySnapshot(JSON.parse(event.data));
      setConnection("live", "Live");
    }),
  );
  source.addEventListener(
    "change",
    current((event) => applyChange(JSON.parse(event.data))),
  );
  source.addEventListener(
    "resync",
    current(() => setConnection("connecting", "Resynchronising…")),
  );
  source.addEventListener(
    "error",
    current(() => {
      // EventSource retries by itself (with Last-Event-ID) unless the server answered with an error.
      if (source.readyState === EventSource.CONNECTING) {
        setConnection("connecting", "Reconnecting…");
        return;
      }
      closeStream();
      setConnection("offline", "Disconnected");
      api("/api/v1/Auth/Me").then(
        () => scheduleReconnect(),
        (error) => {
          if (error.status === 401) showSignIn("Your session has ended. Sign in again.");
          else scheduleReconnect();
        },
      );
    }),
  );
}

function scheduleReconnect() {
  if (!state.me) return;
  const delay = Math.min(30_000, 1000 * 2 ** state.retries++);
  setConnection("offline", `Disconnected; retrying in ${Math.round(delay / 1000)} s`);
  state.retryTimer = setTimeout(connect, delay);
}

// ---- Presence ------------------------------------------------------------------------------

function applySnapshot(list) {
  const seen = new Set();
  for (const presence of list) {
    seen.add(presence.UserId);
    upsert(presence);
  }
  for (const [id, entry] of state.users) {
    if (!seen.has(id)) {
      entry.row.remove();
      state.users.delete(id);
    }
  }
  learnTopics();
  reorder();
  renderWhoAmI();
  applyFilters();
}

function applyChange(change) {
  const known = state.users.get(change.UserId);
  const entry = upsert({
    UserId: change.UserId,
    DisplayName: known?.presence.DisplayName ?? null,
    Present: change.Present,
    OngoingChats: change.OngoingChats,
    ChatTopics: change.ChatTopics,
  });
  if (!known) {
    reorder();
    fetchMissingNames();
  }
  entry.changes++;
  learnTopics();
  applyFilters();
  flash(entry.row);
}

function upsert(presence) {
  let entry = state.users.get(presence.UserId);
  if (!entry) {
    const row = buildRow(presence.UserId);
    entry = { presence, row, pending: 0, changes: 0, queue: Promise.resolve() };
    state.users.set(presence.UserId, entry);
  } else {
    entry.presence = { ...entry.presence, ...presence };
  }
  renderRow(entry);
  return entry;
}

function mayChange(userId) {
  return state.me?.Role === "admin" || state.me?.UserId === userId;
}

function displayName(presence) {
  return presence.DisplayName || `User ${presence.UserId}`;
}

function buildRow(userId) {
  const row = element("li", "user");
  row.dataset.userId = String(userId);

  const who = element("div", "who");
  const dot = element("span", "dot");
  dot.setAttribute("aria-hidden", "true");
  const name = element("span", "name");
  const you = element("span", "you", "You");
  const meta = element("span", "meta");
  const nameLine = element("span", "name-line");
  nameLine.append(name, you);
  const text = element("span", "who-text");
  text.append(nameLine, meta);
  who.append(dot, text);

  const chats = element("p", "chats");
  const topics = element("ul", "topics");

  const toggle = element("label", "toggle");
  const input = document.createElement("input");
  input.type = "checkbox";
  input.setAttribute("role", "switch");
  const label = element("span", "toggle-label", "Present");
  const whose = element("span", "visually-hidden");
  toggle.append(input, label, whose);
  input.addEventListener("change", () => save(state.users.get(userId), input.checked));

  row.append(who, chats, topics, toggle);
  return row;
}

function renderRow(entry) {
  const { presence, row } = entry;
  const name = displayName(presence);
  const own = presence.UserId === state.me?.UserId;
  row.dataset.present = String(presence.Present);
  row.classList.toggle("own", own);
  row.querySelector(".name").textContent = name;
  row.querySelector(".you").hidden = !own;
  row.querySelector(".meta").textContent =
    `${presence.Present ? "Present" : "Away"} · #${presence.UserId}`;

  const chats = row.querySelector(".chats");
  const count = presence.OngoingChats ?? 0;
  chats.replaceChildren(
    element("span", "num", String(count)),
    ` ongoing chat${count === 1 ? "" : "s"}`,
  );
  chats.classList.toggle("zero", count === 0);

  const topics = row.querySelector(".topics");
  const ids = presence.ChatTopics ?? [];
  topics.setAttribute("aria-label", `Topics of ${name}`);
  topics.replaceChildren(
    ...(ids.length
      ? ids.map((id) => element("li", "chip", topicName(id)))
      : [element("li", "chip none", "No topics")]),
  );

  const input = row.querySelector("input");
  const allowed = mayChange(presence.UserId);
  if (entry.pending === 0) input.checked = presence.Present;
  input.disabled = !allowed;
  input.setAttribute("aria-busy", String(entry.pending > 0));
  row.querySelector(".visually-hidden").textContent = ` ${name}`;
  const toggle = row.querySelector(".toggle");
  toggle.classList.toggle("locked", !allowed);
  toggle.title = allowed ? "" : "Only an admin can change someone else's presence";
}

/**
 * Saves one toggle; clicks on the same row are sent in order, so the last one wins. The stream
 * has the final word: the saved value is kept only if no change event came meanwhile.
 */
function save(entry, present) {
  entry.pending++;
  renderRow(entry);
  entry.queue = entry.queue
    .then(async () => {
      const changes = entry.changes;
      await api("/api/v1/Presence/SaveAll", {
        method: "POST",
        body: [{ UserId: entry.presence.UserId, Present: present }],
      });
      if (entry.changes === changes) entry.presence.Present = present;
      showError("");
    })
    .catch((error) => {
      if (error.status === 401) return showSignIn("Your session has ended. Sign in again.");
      showError(`Could not change ${displayName(entry.presence)}: ${error.message}`);
    })
    .finally(() => {
      entry.pending--;
      renderRow(entry);
      applyFilters();
    });
}

let namesTimer = 0;
/** Users first seen in a change event have no display name yet: fetch the list once. */
function fetchMissingNames() {
  if (namesTimer) return;
  namesTimer = setTimeout(async () => {
    try {
      for (const presence of await api("/api/v1/Presence/GetAll")) {
        const entry = state.users.get(presence.UserId);
        if (entry && !entry.presence.DisplayName && presence.DisplayName) {
          entry.presence.DisplayName = presence.DisplayName;
          renderRow(entry);
        }
      }
      reorder();
      renderWhoAmI();
    } catch {
      // The placeholder name stays.
    } finally {
      namesTimer = 0;
    }
  }, 250);
}

function reorder() {
  const mine = state.me?.UserId;
  const entries = [...state.users.values()].sort(
    (a, b) =>
      (b.presence.UserId === mine) - (a.presence.UserId === mine) ||
      displayName(a.presence).localeCompare(displayName(b.presence)) ||
      a.presence.UserId - b.presence.UserId,
  );
  $("users").append(...entries.map((entry) => entry.row));
}

function flash(row) {
  row.classList.remove("changed");
  void row.offsetWidth; // restart the animation
  row.classList.add("changed");
}

// ---- Topics and filters --------------------------------------------------------------------

function topicName(id) {
  return state.topics.get(id) ?? `Topic ${id}`;
}

/** Names for topic ids from GET /api/v1/ChatTopic/{id} where the server has it; ids otherwise. */
function learnTopics() {
  let added = false;
  for (const entry of state.users.values()) {
    for (const id of entry.presence.ChatTopics ?? []) {
      if (state.topics.has(id)) continue;
      state.topics.set(id, null);
      added = true;
      api(`/api/v1/ChatTopic/${id}`).then(
        (topic) => {
          if (typeof topic?.Name !== "string" || !topic.Name) return;
          state.topics.set(id, topic.Name);
          for (const user of state.users.values()) renderRow(user);
          renderTopicFilter();
        },
        () => undefined,
      );
    }
  }
  if (added) renderTopicFilter();
}

function renderTopicFilter() {
  const select = $("filter-topic");
  const selected = select.value;
  const ids = [...state.topics.keys()].sort((a, b) =>
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

function applyFilters() {
  const topic = $("filter-topic").value;
  const presence = $("filter-present").value;
  let shown = 0;
  let present = 0;
  for (const { presence: p, row } of state.users.values()) {
    const visible =
      (topic === "" || (p.ChatTopics ?? []).includes(Number(topic))) &&
      (presence === "" || p.Present === (presence === "present"));
    row.hidden = !visible;
    if (visible) shown++;
    if (p.Present) present++;
  }
  const total = state.users.size;
  $("empty").hidden = shown > 0 || total === 0;
  $("count").textContent =
    shown === total
      ? `${total} user${total === 1 ? "" : "s"}, ${present} present`
      : `Showing ${shown} of ${total} users, ${present} present`;
}

// ---- Start ---------------------------------------------------------------------------------

$("login-form").addEventListener("submit", signIn);
$("logout").addEventListener("click", signOut);
$("error-close").addEventListener("click", () => showError(""));
$("filter-topic").addEventListener("change", applyFilters);
$("filter-present").addEventListener("change", applyFilters);

// The readable XSRF cookie lives as long as the HttpOnly session: without it, do not even ask.
if (readCookie("XSRF-TOKEN")) {
  api("/api/v1/Auth/Me").then(showDashboard, () => showSignIn());
} else {
  showSignIn();
}
