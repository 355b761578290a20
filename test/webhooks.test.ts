/**
 * Webhook delivery end to end, over real HTTP both ways: signed POSTs of each change to a
 * node:http receiver on 127.0.0.1, topic filters, retries with backoff, failures, redirects,
 * and saves that never wait for a receiver.
 */
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { describe, it } from "node:test";
import { openStream } from "./support/sse-client.ts";
import {
  ADMIN,
  KUHN,
  MAX_ATTEMPTS,
  pause,
  TIMEOUT_MS,
  UUID,
  until,
  verify,
  webhookSuite,
} from "./support/webhooks.ts";

describe("webhook delivery", () => {
  const suite = webhookSuite();
  const { receiver, hook, unhook, save, deliveries } = suite;

  it("POSTs each change, signed, with the SSE change event as body plus DeliveryId", async () => {
    const id = await hook("/signed");
    const stream = await openStream(`${suite.server.url}/api/v1/Presence/Stream`, ADMIN);
    assert.equal((await stream.next()).event, "snapshot");
    const started = Date.now();
    await save([{ UserId: 883, Present: true }], KUHN);
    const change = await stream.next();
    stream.close();
    const [received] = await until(
      "the delivery",
      () => receiver.at("/signed")[0] && receiver.at("/signed"),
    );
    assert.ok(Date.now() - started < 2000, "delivered promptly");
    verify(received);
    assert.equal(received.headers["content-type"], "application/json");
    assert.equal(received.headers["x-chatpresence-event"], "presence.changed");
    const deliveryId = String(received.headers["x-chatpresence-delivery"]);
    assert.match(deliveryId, UUID);
    const timestamp = Number(received.headers["x-chatpresence-timestamp"]);
    assert.ok(Math.abs(timestamp - Date.now() / 1000) < 10, "timestamp in epoch seconds");

    const { DeliveryId, ...event } = JSON.parse(received.body);
    assert.equal(DeliveryId, deliveryId);
    assert.deepEqual(event, JSON.parse(change.data), "the same change the stream sent");
    assert.deepEqual(
      Object.keys(event),
      [
        "UserId",
        "Present",
        "OngoingChats",
        "ChatTopics",
        "Previous",
        "Version",
        "At",
        "Source",
        "ChangedBy",
      ],
      "in the documented field order, whichever node fans it out",
    );
    assert.equal(event.UserId, 883);
    assert.equal(event.Present, true);
    assert.equal(event.Source, "api");
    assert.equal(event.ChangedBy, 883);

    const [log] = await until("the log to say delivered", async () => {
      const entries = await deliveries(id);
      return entries[0]?.Status === "delivered" ? entries : undefined;
    });
    assert.equal(log.DeliveryId, deliveryId);
    assert.equal(log.EventVersion, event.Version);
    assert.equal(log.UserId, 883);
    assert.equal(log.Attempts, 1);
    assert.equal(log.LastStatusCode, 200);
    assert.equal(log.LastError, null);
    assert.equal(log.NextAttemptAt, null);
    assert.ok(!Number.isNaN(Date.parse(log.DeliveredAt)));
    await unhook(id);
    await save([{ UserId: 883, Present: false }], KUHN);
  });

  it("with a TopicId sends only changes of users in that topic, before or after", async () => {
    const id = await hook("/sales", 128);
    await save([{ UserId: 589, Present: true }]);
    assert.deepEqual(await deliveries(id), [], "589 is not in topic 128: nothing enqueued");
    await save([{ UserId: 883, Present: true }]);
    const [received] = await until(
      "the topic delivery",
      () => receiver.at("/sales")[0] && receiver.at("/sales"),
    );
    assert.equal(JSON.parse(received.body).UserId, 883);
    verify(received);
    await pause(150);
    assert.equal(receiver.at("/sales").length, 1, "only 883");
    await unhook(id);
    await save([
      { UserId: 589, Present: false },
      { UserId: 883, Present: false },
    ]);
  });

  it("retries with backoff: 500, 500, then 200 makes three attempts, all in the log", async () => {
    receiver.answers.set("/flaky", (response, nth) =>
      response.writeHead(nth <= 2 ? 500 : 200).end(),
    );
    const id = await hook("/flaky");
    await save([{ UserId: 589, Present: true }]);
    const attempts = await until("three attempts", () =>
      receiver.at("/flaky").length >= 3 ? receiver.at("/flaky") : undefined,
    );
    assert.equal(new Set(attempts.map((a) => a.headers["x-chatpresence-delivery"])).size, 1);
    assert.equal(new Set(attempts.map((a) => a.body)).size, 1, "the same body each time");
    for (const attempt of attempts) verify(attempt);
    const [log] = await until("the log to say delivered", async () => {
      const entries = await deliveries(id);
      return entries[0]?.Status === "delivered" ? entries : undefined;
    });
    assert.equal(log.Attempts, 3);
    assert.equal(log.LastStatusCode, 200);
    await pause(200);
    assert.equal(receiver.at("/flaky").length, 3, "no attempt after the success");
    await unhook(id);
    await save([{ UserId: 589, Present: false }]);
  });

  it("marks a delivery failed after the last attempt, with the last status and error", async () => {
    receiver.answers.set("/broken", (response) => response.writeHead(503).end());
    const id = await hook("/broken");
    await save([{ UserId: 589, Present: true }]);
    const [log] = await until("the log to say failed", async () => {
      const entries = await deliveries(id);
      return entries[0]?.Status === "failed" ? entries : undefined;
    });
    assert.equal(log.Attempts, MAX_ATTEMPTS);
    assert.equal(log.LastStatusCode, 503);
    assert.equal(log.LastError, "the receiver answered 503");
    assert.equal(log.NextAttemptAt, null);
    assert.equal(log.DeliveredAt, null);
    assert.equal(receiver.at("/broken").length, MAX_ATTEMPTS);
    await unhook(id);
    await save([{ UserId: 589, Present: false }]);
  });

  it("does not follow redirects: a 3xx is recorded and retried, its target never called", async () => {
    receiver.answers.set("/moved", (response) =>
      response.writeHead(302, { location: `${receiver.url}/elsewhere` }).end(),
    );
    const id = await hook("/moved");
    await save([{ UserId: 589, Present: true }]);
    const [log] = await until("the 302 in the log", async () => {
      const entries = await deliveries(id);
      return entries[0]?.LastStatusCode === 302 ? entries : undefined;
    });
    assert.equal(log.Status === "pending" || log.Status === "failed", true);
    await unhook(id);
    assert.equal(receiver.at("/elsewhere").length, 0);
    await save([{ UserId: 589, Present: false }]);
  });

  it("never makes the save wait: 204 at once while the receiver hangs, others still served", async () => {
    const hanging: ServerResponse[] = [];
    receiver.answers.set("/hang", (response) => hanging.push(response));
    const slow = await hook("/hang");
    const fast = await hook("/fast");
    const started = Date.now();
    await save([{ UserId: 589, Present: true }]);
    const saveMs = Date.now() - started;
    // Had it waited for the receiver, the save would take at least the timeout.
    assert.ok(saveMs < TIMEOUT_MS / 2, `the save took ${saveMs} ms`);
    await until("the hanging request", () => hanging.length > 0 || undefined);
    await until("the other webhook's delivery", () => receiver.at("/fast").length > 0 || undefined);
    const second = Date.now();
    await save([{ UserId: 589, Present: false }]);
    assert.ok(Date.now() - second < TIMEOUT_MS / 2, "still quick with a request hanging");
    const [log] = await until("the timeout in the log", async () => {
      const entries = await deliveries(slow);
      return entries.find((e: { LastError: string | null }) => e.LastError) ? entries : undefined;
    });
    assert.ok(log.Attempts >= 1);
    const timedOut = (await deliveries(slow)).find(
      (e: { LastError: string | null }) => e.LastError,
    );
    assert.equal(timedOut.LastError, `no answer within ${TIMEOUT_MS} ms`);
    assert.equal(timedOut.LastStatusCode, null);
    await unhook(slow);
    await unhook(fast);
    for (const response of hanging) response.destroy();
  });

  it("sends nothing more to a deleted webhook", async () => {
    const id = await hook("/deleted");
    await save([{ UserId: 589, Present: true }]);
    await until("the first delivery", () => receiver.at("/deleted").length > 0 || undefined);
    await unhook(id);
    await save([{ UserId: 589, Present: false }]);
    await save([{ UserId: 589, Present: true }]);
    await pause(300);
    assert.equal(receiver.at("/deleted").length, 1);
    await save([{ UserId: 589, Present: false }]);
  });

  it("a failure to enqueue a change found by re-reading is logged and never fails it", async () => {
    // A save enqueues in its own transaction; membership edits, pick-ups and expiry are found
    // by re-reading the users afterwards, and enqueue then.
    const id = await hook("/unreached");
    const store = suite.server.store;
    const original = store.enqueueChanges;
    const reported: unknown[] = [];
    const log = suite.server.services.webhooks.onError;
    store.enqueueChanges = async () => {
      throw new Error("the outbox is down");
    };
    suite.server.services.webhooks.onError = (error) => reported.push(error);
    try {
      await store.savePresence([{ userId: 589, present: true }]);
      const found = await suite.server.services.presence.usersChanged([589], {
        source: "admin",
        changedBy: 1,
      });
      assert.equal(found.length, 1, "the change is logged");
    } finally {
      store.enqueueChanges = original;
      suite.server.services.webhooks.onError = log;
    }
    assert.equal(reported.length, 1);
    assert.match(String(reported[0]), /outbox is down/);
    const all = await (
      await suite.server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })
    ).json();
    assert.equal(all.find((p: { UserId: number }) => p.UserId === 589).Present, true, "saved");
    await unhook(id);
    await save([{ UserId: 589, Present: false }]);
  });
});
