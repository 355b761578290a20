// The presence change stream: what its snapshots and changes do to the list, and the
// connection indicator that says how it is doing (live.js keeps the stream open). Other
// views hear each change through onPresenceChange.

import { liveStream } from "./live.js";
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

let stream = null;
const changeListeners = new Set();

function showConnection(kind, text) {
  const indicator = document.getElementById("conn");
  indicator.dataset.state = kind;
  indicator.textContent = text;
}

/** Opens the stream and keeps it open until closeStream(). */
export function openStream({ onSessionEnded }) {
  stream?.close();
  stream = liveStream(STREAM_URL, {
    events: {
      snapshot: onSnapshot,
      change: applyChange,
      resync: () => showConnection("connecting", "Resynchronising…"),
    },
    onState: showConnection,
    onSessionEnded,
  });
  stream.open();
}

export function closeStream() {
  stream?.close();
  stream = null;
}

/**
 * Calls `listener(change)` with every presence change event, and `listener(null)` after each
 * snapshot (anything may have changed); returns how to stop.
 */
export function onPresenceChange(listener) {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

function onSnapshot(list) {
  applySnapshot(list);
  showConnection("live", "Live");
  for (const listener of changeListeners) listener(null);
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
  for (const listener of changeListeners) listener(change);
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
