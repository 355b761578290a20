/** The capacity rules (domain/capacity.ts), the changes that carry them, and the import file. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  bindingLoad,
  chatLimit,
  checkChatLimit,
  describeLimits,
  isChatLimit,
} from "../src/domain/capacity.ts";
import { PresenceError } from "../src/domain/errors.ts";
import { parseSeed, SeedError } from "../src/domain/seed.ts";
import {
  acceptTransfer,
  type ChatSessionRecord,
  edit,
  meetsCondition,
  offerTransfer,
  pickUp,
  rejectTransfer,
  reset,
} from "../src/domain/session.ts";
import { sessionRecord } from "./support/records.ts";

function session(overrides: Partial<ChatSessionRecord>): ChatSessionRecord {
  const bo = { id: 2, username: "bo", displayName: "Bo" };
  return sessionRecord({ topicId: 10, status: "UserLast", user: bo, ...overrides });
}

describe("capacity rules", () => {
  it("the load reported is the count the binding limit measures, and names that limit", () => {
    const load = (ongoingChats: number, ongoingInTopic: number, maxChats: number, per: number) =>
      bindingLoad({ ongoingChats, ongoingInTopic, maxChats, maxChatsPerAgent: per });
    // MaxChatsPerAgent 2 binds in the topic: its 2 chats there, not the 3 in all topics.
    assert.deepEqual(load(3, 2, 4, 2), { ongoingChats: 2, limit: 2, limitOf: "MaxChatsPerAgent" });
    assert.deepEqual(load(3, 2, 3, 2), { ongoingChats: 2, limit: 2, limitOf: "MaxChatsPerAgent" });
    // MaxChats 3 binds: all 3 chats, though the topic's limit is lower and not reached.
    assert.deepEqual(load(3, 1, 3, 2), { ongoingChats: 3, limit: 3, limitOf: "MaxChats" });
    assert.deepEqual(load(1, 1, 3, 0), { ongoingChats: 1, limit: 3, limitOf: "MaxChats" });
    assert.deepEqual(load(2, 1, 0, 0), { ongoingChats: 2, limit: 0, limitOf: null });
  });

  it("the limit that binds is the smaller of those set; 0 is none", () => {
    assert.equal(chatLimit(0, 0), 0);
    assert.equal(chatLimit(3, 0), 3);
    assert.equal(chatLimit(0, 2), 2);
    assert.equal(chatLimit(3, 2), 2);
    assert.equal(chatLimit(1, 4), 1);
  });

  it("a limit is a whole number from 0; anything else is a 400 naming the field", () => {
    for (const good of [0, 1, 2147483647]) assert.equal(isChatLimit(good), true, String(good));
    for (const bad of [-1, 1.5, 2147483648, "2", null, undefined, true, Number.NaN]) {
      assert.equal(isChatLimit(bad), false, String(bad));
      assert.throws(
        () => checkChatLimit("MaxChats", bad),
        (e: unknown) =>
          e instanceof PresenceError &&
          e.code === "PRES_ERR_BAD_BODY" &&
          /MaxChats/.test(e.message),
      );
    }
  });

  it("names the limits that are set, in words that read the same in every language", () => {
    assert.equal(
      describeLimits(2, { id: 10, maxChatsPerAgent: 1 }),
      "MaxChats = 2; ChatTopic 10: MaxChatsPerAgent = 1",
    );
    assert.equal(describeLimits(2, { id: 10, maxChatsPerAgent: 0 }), "MaxChats = 2");
    assert.equal(
      describeLimits(0, { id: 10, maxChatsPerAgent: 3 }),
      "ChatTopic 10: MaxChatsPerAgent = 3",
    );
    assert.equal(describeLimits(2, null), "MaxChats = 2");
    assert.equal(describeLimits(0, null), "MaxChatsPerAgent");
  });

  it("changes that give a chat to a user carry the capacity check; the others do not", () => {
    assert.equal(pickUp(3, 1).condition.capacityFor, 3);
    assert.equal(acceptTransfer(3).condition.capacityFor, 3);
    assert.equal(offerTransfer(2, 3).condition.capacityFor, undefined, "an offer is no chat yet");
    assert.equal(rejectTransfer(3).condition.capacityFor, undefined);
    assert.equal(reset().condition.capacityFor, undefined);
    const ongoing = session({});
    assert.equal(edit(ongoing, { userId: 3 }, 1).condition.capacityFor, 3, "a reassignment");
    assert.equal(edit(ongoing, { lastMessage: "hi" }, 1).condition.capacityFor, undefined);
    assert.equal(edit(ongoing, { status: "Finished" }, 1).condition.capacityFor, undefined);
  });

  it("tells a session that still meets a condition's row part from one that changed", () => {
    const queued = session({ status: "InQueue", user: null });
    assert.equal(meetsCondition(queued, pickUp(3, 1).condition), true);
    assert.equal(meetsCondition(session({}), pickUp(3, 1).condition), false);
    const offered = session({ transferTo: { id: 3, username: "cy", displayName: "Cy" } });
    assert.equal(meetsCondition(offered, acceptTransfer(3).condition), true);
    assert.equal(meetsCondition(session({}), acceptTransfer(3).condition), false);
  });
});

describe("import file: chat limits", () => {
  it("reads maxChats on users and maxChatsPerAgent on topics; absent or null keeps", () => {
    const seed = parseSeed({
      users: [
        { id: 1, username: "a", maxChats: 3 },
        { id: 2, username: "b", maxChats: 0 },
        { id: 3, username: "c" },
        { id: 4, username: "d", maxChats: null },
      ],
      topics: [
        { id: 10, maxChatsPerAgent: 2 },
        { id: 20, name: "Plain" },
      ],
    });
    assert.deepEqual(
      seed.users.map((u) => u.maxChats),
      [3, 0, undefined, undefined],
    );
    assert.equal(seed.topics[0].maxChatsPerAgent, 2);
    assert.deepEqual(seed.topics[1], { id: 20, name: "Plain" }, "no limit key when absent");
  });

  it("refuses a bad limit, naming its place", () => {
    const bad = [-1, 1.5, "2", true, 2147483648, {}];
    for (const value of bad) {
      assert.throws(
        () =>
          parseSeed({
            users: [
              { id: 1, username: "a" },
              { id: 2, username: "b", maxChats: value },
            ],
          }),
        (e: unknown) =>
          e instanceof SeedError &&
          e.message === "users[1].maxChats: expected 0 (no limit) or a positive 32-bit integer",
        JSON.stringify(value),
      );
      assert.throws(
        () => parseSeed({ topics: [{ id: 10, maxChatsPerAgent: value }] }),
        (e: unknown) =>
          e instanceof SeedError &&
          e.message ===
            "topics[0].maxChatsPerAgent: expected 0 (no limit) or a positive 32-bit integer",
        JSON.stringify(value),
      );
    }
  });
});
