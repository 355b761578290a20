// One Server-Sent Events stream kept open while it is wanted. The browser resumes a dropped
// stream by itself (with Last-Event-ID); only when the server refuses it does the page ask
// whether the session has ended, and otherwise retry with a backoff.

import { api } from "./session.js";

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * liveStream(url, { events: { name: handler(data, event) }, onOpen(), onState(kind, text),
 * onSessionEnded() }) → { open(), close() }. Handlers get the event's data parsed as JSON;
 * onState hears "connecting", "offline" (the page says "live" itself, when it has what it
 * needs), onOpen each time the server accepts the stream.
 */
export function liveStream(url, { events, onOpen = () => {}, onState = () => {}, onSessionEnded }) {
  let wanted = false;
  let source = null;
  let retries = 0;
  let retryTimer = 0;

  function disconnect() {
    clearTimeout(retryTimer);
    source?.close();
    source = null;
  }

  function connect() {
    disconnect();
    if (!wanted) return;
    onState("connecting", "Connecting…");
    const opened = new EventSource(url);
    source = opened;
    // An event still queued from a stream that has since been replaced must not reach the page.
    const fromCurrent = (handler) => (event) => {
      if (source === opened) handler(event);
    };
    for (const [name, handler] of Object.entries(events)) {
      opened.addEventListener(
        name,
        fromCurrent((event) => handler(JSON.parse(event.data), event)),
      );
    }
    opened.addEventListener(
      "open",
      fromCurrent(() => {
        retries = 0;
        onOpen();
      }),
    );
    opened.addEventListener("error", fromCurrent(onError));
  }

  function onError() {
    if (source.readyState === EventSource.CONNECTING) {
      onState("connecting", "Reconnecting…");
      return;
    }
    // Closed: the server answered with an error, so the browser will not retry by itself.
    disconnect();
    onState("offline", "Disconnected");
    api("api/v1/Auth/Me").then(scheduleReconnect, (error) => {
      if (error.status === 401 && wanted) onSessionEnded();
      else scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (!wanted) return;
    const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** retries++);
    onState("offline", `Disconnected; retrying in ${Math.round(delay / 1000)} s`);
    retryTimer = setTimeout(connect, delay);
  }

  return {
    open() {
      wanted = true;
      connect();
    },
    close() {
      wanted = false;
      disconnect();
    },
  };
}
