// The signed-in agent's own routing: the chats offered to them, each with Accept / Decline and
// a countdown to its ExpiresAt, and their load against their limit ("2 / 3 chats"). Both are
// read from the API again whenever the routing or presence stream says something concerning
// this agent changed, so what shows is always the server's word.

import { $, element, setText } from "./dom.js";
import { onRoutingEvent } from "./routing-stream.js";
import { api, serverNow, signedInUser } from "./session.js";
import { onPresenceChange } from "./stream.js";
import { topicName } from "./users.js";

/** ChatSessionId → { offer, row, countdown, buttons }. */
const shown = new Map();
let handlers = null;
let stops = [];
let ticker = 0;
let offersRead = Promise.resolve();
let loadTimer = 0;

/** Starts the agent's view: { showError(message), reportFailure(error, what) } from the page. */
export function startOffers(pageHandlers) {
  stopOffers();
  handlers = pageHandlers;
  stops = [
    onRoutingEvent((event) => {
      if (event.Type === "open" || event.UserId === signedInUser()?.UserId) refresh();
    }),
    onPresenceChange((change) => {
      if (change === null || change.UserId === signedInUser()?.UserId) readLoadSoon();
    }),
  ];
  ticker = setInterval(tick, 250);
  refresh();
}

export function stopOffers() {
  for (const stop of stops) stop();
  stops = [];
  clearInterval(ticker);
  clearTimeout(loadTimer);
  handlers = null;
  shown.clear();
  $("offers").replaceChildren();
  $("agent").hidden = true;
}

function refresh() {
  readOffers();
  readLoadSoon();
}

function failed(error, what) {
  handlers?.reportFailure(error, what);
}

// ---- Offers --------------------------------------------------------------------------------

/** Reads are chained, so an older answer never overwrites a newer one. */
function readOffers() {
  offersRead = offersRead.then(async () => {
    try {
      renderOffers(await api("api/v1/Routing/Offers"));
    } catch (error) {
      failed(error, "Could not read your offers");
    }
  });
}

function renderOffers(offers) {
  if (!handlers) return;
  const ids = new Set(offers.map((offer) => offer.ChatSessionId));
  for (const [id, entry] of shown) {
    if (!ids.has(id)) {
      entry.row.remove();
      shown.delete(id);
    }
  }
  for (const offer of offers) {
    const entry = shown.get(offer.ChatSessionId) ?? buildOffer(offer);
    entry.offer = offer;
    entry.expiresAt = Date.parse(offer.ExpiresAt);
    setText(entry.title, `Chat ${offer.ChatSessionId} in ${topicName(offer.TopicId)}`);
  }
  $("offers").replaceChildren(...[...shown.values()].map((entry) => entry.row));
  $("no-offers").hidden = shown.size > 0;
  showSection();
  tick();
}

function buildOffer(offer) {
  const row = element("li", "offer");
  row.dataset.sessionId = String(offer.ChatSessionId);
  const title = element("span", "offer-title");
  const countdown = element("span", "countdown");
  countdown.setAttribute("role", "timer");
  const accept = element("button", "button primary", "Accept");
  const decline = element("button", "button secondary", "Decline");
  for (const button of [accept, decline]) button.type = "button";
  accept.addEventListener("click", () => answer(entry, "Accept"));
  decline.addEventListener("click", () => answer(entry, "Decline"));
  const actions = element("span", "offer-actions");
  actions.append(accept, decline);
  const text = element("span", "offer-text");
  text.append(title, countdown);
  row.append(text, actions);
  const entry = {
    offer,
    row,
    title,
    countdown,
    buttons: [accept, decline],
    expiresAt: 0,
    expired: false,
  };
  shown.set(offer.ChatSessionId, entry);
  return entry;
}

/** Accept or Decline; either way the offer is over for this agent, so its row goes. */
async function answer(entry, verb) {
  const id = entry.offer.ChatSessionId;
  for (const button of entry.buttons) button.disabled = true;
  try {
    await api(`api/v1/Routing/Offers/${id}/${verb}`, { method: "POST" });
    handlers?.showError("");
  } catch (error) {
    failed(error, `Could not ${verb.toLowerCase()} chat ${id}`);
  }
  readOffers();
  readLoadSoon();
}

/** Seconds left on each offer; one past its time is read again (the server lapses it). */
function tick() {
  let expired = false;
  for (const entry of shown.values()) {
    const left = Math.max(0, Math.ceil((entry.expiresAt - serverNow()) / 1000));
    setText(entry.countdown, left > 0 ? `${left} s left` : "Expired");
    entry.row.classList.toggle("ending", left <= 5);
    if (left === 0 && !entry.expired) expired = entry.expired = true;
  }
  if (expired) readOffers();
}

// ---- Load ----------------------------------------------------------------------------------

function readLoadSoon() {
  clearTimeout(loadTimer);
  loadTimer = setTimeout(readLoad, 100);
}

async function readLoad() {
  try {
    const load = await api("api/v1/Routing/Load");
    if (!handlers) return;
    renderLoad(load);
  } catch (error) {
    failed(error, "Could not read your load");
  }
}

function renderLoad(load) {
  const chats = load.OngoingChats;
  const noun = (n) => `chat${n === 1 ? "" : "s"}`;
  setText(
    $("load"),
    load.Limit > 0 ? `${chats} / ${load.Limit} chats` : `${chats} ${noun(chats)}, no limit`,
  );
  $("load").dataset.full = String(load.Limit > 0 && chats >= load.Limit);
  $("agent").dataset.responds = String(load.Topics.length > 0);
  showSection();
}

/** Shown to whoever may be offered chats (responds somewhere) or has an offer open. */
function showSection() {
  $("agent").hidden = !($("agent").dataset.responds === "true" || shown.size > 0);
}
