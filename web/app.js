// The chat presence dashboard: sign in with the session cookie, then a live list of chat users
// fed by the change stream, the agent's own offers and load, and the queues of the topics the
// user manages. This module owns the controls (the sign-in form, sign-out, the present
// switches, the filters) and which view shows; session.js talks to the API, stream.js and
// routing-stream.js keep the views live, users.js renders the list, offers.js the agent's
// chats, queues.js the queues.

import { $ } from "./dom.js";
import { startOffers, stopOffers } from "./offers.js";
import { reloadCharts, startQueues, stopQueues } from "./queues.js";
import { closeRoutingStream, openRoutingStream } from "./routing-stream.js";
import * as session from "./session.js";
import { closeStream, openStream } from "./stream.js";
import {
  applyFilters,
  clearUsers,
  displayName,
  renderUser,
  renderWhoAmI,
  userEntry,
} from "./users.js";

const SESSION_ENDED = "Your session has ended. Sign in again.";

// ---- Views ---------------------------------------------------------------------------------

function showSignIn(message = "") {
  session.forgetSession();
  closeStream();
  closeRoutingStream();
  stopOffers();
  stopQueues();
  clearUsers();
  $("dashboard").hidden = true;
  $("session").hidden = true;
  $("signin").hidden = false;
  $("login-error").textContent = message;
  $("password").value = "";
  $("username").focus();
}

function showDashboard(me) {
  $("signin").hidden = true;
  $("session").hidden = false;
  $("dashboard").hidden = false;
  $("role").textContent = me.Role === "admin" ? "Admin" : "Agent";
  renderWhoAmI();
  showError("");
  const onSessionEnded = () => showSignIn(SESSION_ENDED);
  // The views listen before the streams open, so they hear the first "open".
  startOffers({ showError, reportFailure });
  startQueues({ reportFailure });
  openStream({ onSessionEnded });
  openRoutingStream({ onSessionEnded });
}

function showError(message) {
  $("error-text").textContent = message;
  $("error").hidden = !message;
}

/** A failed call: a session that has ended goes back to the sign-in, anything else is shown. */
function reportFailure(error, what) {
  if (error.status === 401) showSignIn(SESSION_ENDED);
  else showError(`${what}: ${error.message}`);
}

// ---- Sign-in and sign-out ------------------------------------------------------------------

let signingIn = false;
async function submitSignIn(event) {
  event.preventDefault();
  if (signingIn) return;
  const username = $("username").value.trim();
  const password = $("password").value;
  if (!username || !password) {
    $("login-error").textContent = "Enter your username and password.";
    (username ? $("password") : $("username")).focus();
    return;
  }
  signingIn = true;
  $("login-error").textContent = "";
  try {
    // An Online installation takes a password only with an application token (SO-AppToken).
    const me = await session.signIn(username, password, $("apptoken").value.trim());
    $("password").value = "";
    showDashboard(me);
    $("users-title").focus();
  } catch (error) {
    if (error.code === "PRES_ERR_APP_TOKEN") return askForAppToken();
    $("login-error").textContent =
      error.status === 401 ? "Wrong username or password." : error.message;
    $("password").select();
  } finally {
    signingIn = false;
  }
}

/** The server wants an application token: show its field (once) and say what went wrong. */
function askForAppToken() {
  const first = $("apptoken-field").hidden;
  $("apptoken-field").hidden = false;
  $("login-error").textContent = first
    ? "This server needs an application token to sign in."
    : "The application token is not registered.";
  $("apptoken").focus();
}

async function signOut() {
  await session.signOut();
  showSignIn();
}

// ---- Present switches ----------------------------------------------------------------------

/**
 * Saves one switch; clicks on the same row are sent in order, so the last one wins. The stream
 * has the final word: the saved value is kept only if no change event came meanwhile.
 */
function savePresent(entry, present) {
  entry.pending++;
  renderUser(entry);
  entry.queue = entry.queue
    .then(async () => {
      const changes = entry.changes;
      await session.api("api/v1/Presence/SaveAll", {
        method: "POST",
        body: [{ UserId: entry.presence.UserId, Present: present }],
      });
      if (entry.changes === changes) entry.presence.Present = present;
      showError("");
    })
    .catch((error) => reportFailure(error, `Could not change ${displayName(entry.presence)}`))
    .finally(() => {
      entry.pending--;
      renderUser(entry);
      applyFilters();
    });
}

/** One listener for every row's switch: rows come and go with the stream. */
function onSwitchChange(event) {
  const input = event.target;
  if (input.getAttribute("role") !== "switch") return;
  const entry = userEntry(Number(input.closest("li.user").dataset.userId));
  if (entry) savePresent(entry, input.checked);
}

// ---- Start ---------------------------------------------------------------------------------

$("login-form").addEventListener("submit", submitSignIn);
$("logout").addEventListener("click", signOut);
$("error-close").addEventListener("click", () => showError(""));
$("users").addEventListener("change", onSwitchChange);
$("filter-topic").addEventListener("change", applyFilters);
$("filter-present").addEventListener("change", applyFilters);
$("chart-hours").addEventListener("change", reloadCharts);

session.resumeSession().then((me) => (me ? showDashboard(me) : showSignIn()));
