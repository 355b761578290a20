// The routing stream (api/v1/Routing/Stream): every routing decision in the topics the
// signed-in user may follow, handed to the views that listen. Each time the server accepts
// the stream, listeners hear { Type: "open" }: whatever they show may be stale, so they read
// it again rather than trust that nothing happened while the stream was away.

import { liveStream } from "./live.js";

// The event names of src/domain/routing-event.ts: the page has no build step to import them.
const TYPES = [
  "queued",
  "offered",
  "offer_lapsed",
  "declined",
  "assigned",
  "transferred",
  "capacity",
  "left_queue",
];

let stream = null;
const listeners = new Set();

function tell(event) {
  for (const listener of listeners) listener(event);
}

export function openRoutingStream({ onSessionEnded }) {
  stream?.close();
  const events = Object.fromEntries(TYPES.map((type) => [type, tell]));
  // A resume too far back: what was missed is gone, so the views read everything again.
  events.resync = () => tell({ Type: "open" });
  stream = liveStream("api/v1/Routing/Stream", {
    events,
    onOpen: () => {
      document.body.dataset.routingStream = "live";
      tell({ Type: "open" });
    },
    // Says how the stream is doing (connecting, offline), for whoever inspects the page.
    onState: (kind) => {
      document.body.dataset.routingStream = kind;
    },
    onSessionEnded,
  });
  stream.open();
}

export function closeRoutingStream() {
  stream?.close();
  stream = null;
}

/** Calls `listener(event)` with each routing event (RoutingEvent JSON); returns how to stop. */
export function onRoutingEvent(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
