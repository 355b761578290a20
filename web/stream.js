// The change stream: one EventSource at a time, what its snapshots and changes do to the list,
// and the connection indicator that says how it is doing. The browser resumes a dropped stream
// by itself (with Last-Event-ID); only when the server refuses it does the page ask whether the
// session has ended, and otherwise retry with a backoff.

import { api } from "./session.js";
import {
  applyFilters,
  flash,
  learnTopics,
  removeUsersExcept,
  renderUser,
  renderWhoAmI,
  reorder,
  upsertUser,
  userEntry,
} from "./users.js";

const STREAM_URL = "api/v1/Presence/Stream";
const MAX_RETRY_DELAY_MS = 30_000;

/** { onSessionEnded() } while the stream is wanted, else null. */
let listeners = null;
let source = null;
let retries = 0;
let retryTimer = 0;

function showConnection(kind, text) {
  const indicator = document.getElementById("conn");
  indicator.dataset.state = kind;
  indicator.textContent = text;
}

/** Opens the stream and keeps it open until closeStream(). */
export function openStream(handlers) {
  listeners = handlers;
  connect();
}

export function closeStream() {
  listeners = null;
  disconnect();
}

function disconnect() {
  clearTimeout(retryTimer);
  source?.close();
  source = null;
}

function connect() {
  disconnect();
  if (!listeners) return;
  showConnection("connecting", "Connecting…");
  const opened = new EventSource(STREAM_URL);
  source = opened;
  // An event still queued from a stream that has since been replaced must not reach the page.
  const fromCurrent = (handler) => (event) => {
    if (source === opened) handler(event);
  };
  opened.addEventListener("snapshot", fromCurrent(onSnapshot));
  opened.addEventListener("change", fromCurrent(onChange));
  opened.addEventListener(
    "resync",
    fromCurrent(() => showConnection("connecting", "Resynchronising…")),
  );
  opened.addEventListener("error", fromCurrent(onError));
}

function onSnapshot(event) {
  retries = 0;
  applySnapshot(JSON.parse(event.data));
  showConnection("live", "Live");
}

function onChange(event) {
  applyChange(JSON.parse(event.data));
}

function onError() {
  if (source.readyState === EventSource.CONNECTING) {
    showConnection("connecting", "Reconnecting…");
    return;
  }
  // Closed: the server answered with an error, so the browser will not retry by itself.
  disconnect();
  showConnection("offline", "Disconnected");
  api("api/v1/Auth/Me").then(scheduleReconnect, (error) => {
    if (error.status === 401) listeners?.onSessionEnded();
    else scheduleReconnect();
  });
}

function scheduleReconnect() {
  if (!listeners) return;
  const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** retries++);
  showConnection("offline", `Disconnected; retrying in ${Math.round(delay / 1000)} s`);
  retryTimer = setTimeout(connect, delay);
}

/** The snapshot is the whole list: users it leaves out are gone. */
function applySnapshot(list) {
  for (const presence of list) upsertUser(presence);
  removeUsersExcept(new Set(list.map((presence) => presence.UserId)));
  learnTopics();
  reorder();
  renderWhoAmI();
  applyFilters();
}

function applyChange(change) {
  const known = userEntry(change.UserId);
  const entry = upsertUser({
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
  // A save in flight keeps its own value only if no change arrived meanwhile (see app.js).
  entry.changes++;
  learnTopics();
  applyFilters();
  flash(entry.row);
}

let namesTimer = 0;
/** Users first seen in a change event have no display name yet: fetch the list once. */
function fetchMissingNames() {
  if (namesTimer) return;
  namesTimer = setTimeout(async () => {
    try {
      for (const presence of await api("api/v1/Presence/GetAll")) {
        const entry = userEntry(presence.UserId);
        if (entry && !entry.presence.DisplayName && presence.DisplayName) {
          entry.presence.DisplayName = presence.DisplayName;
          renderUser(entry);
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
