/**
 * SuperOffice's own TypeScript client (@superoffice/webapi), unchanged,
 * calling the ChatAgent topic, member and session methods against a running server.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import type { ChatAgent } from "@superoffice/webapi/ChatAgent.js";
import type { WebApi as WebApiClass } from "@superoffice/webapi/WebApi.js";
import { presenceOf } from "./support/chat.ts";
import { PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

// The package's ESM build imports files without extensions, which Node cannot load; its
// CommonJS build is the one Node clients use.
const require = createRequire(import.meta.url);
const { WebApi } = require("@superoffice/webapi") as { WebApi: typeof WebApiClass };

function chatAgent(server: TestServer, username: string, password: string): ChatAgent {
  const api = new WebApi(server.url);
  api.authenticateWithPassword(username, password);
  return api.getChatAgent();
}

async function status(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { status: number } }).response;
    assert.ok(response, `not an HTTP error: ${error}`);
    return response.status;
  }
  return assert.fail("the call should have been rejected");
}

describe("@superoffice/webapi ChatAgent: topics, members, sessions", () => {
  let server: TestServer;
  let admin: ChatAgent;
  let kuhn: ChatAgent;
  let ocon: ChatAgent;
  before(async () => {
    server = await startTestServer();
    admin = chatAgent(server, "tje0", "Tje0");
    kuhn = chatAgent(server, "kuhn", PASSWORD);
    ocon = chatAgent(server, "ocon", PASSWORD);
  });
  after(() => server.close());

  it("creates a default topic, saves it with opening hours and reads it back", async () => {
    const draft = await admin.createDefaultChatTopicEntityAsync();
    assert.equal(draft.chatTopicId, 0);
    assert.equal(draft.openingHours?.monStart?.asHours(), 8, "durations parse as dayjs durations");
    draft.name = "Webshop";
    draft.openingHoursEnabled = true;
    const saved = await admin.saveChatTopicEntityAsync(draft);
    assert.ok(saved.chatTopicId > 0);
    assert.equal(saved.name, "Webshop");
    assert.equal(
      saved.openingHours?.monStop?.asHours(),
      16,
      "the client's durations went back as ISO 8601",
    );
    const read = await admin.getChatTopicEntityAsync(saved.chatTopicId);
    assert.equal(read.name, "Webshop");
    assert.equal(await admin.getChatTopicEntityAsync(9999), null, "missing: null");
    assert.equal(typeof (await admin.isWithinOpeningHoursAsync(saved.chatTopicId)), "boolean");
    await admin.deleteChatTopicEntityAsync(saved.chatTopicId);
    assert.equal(await admin.getChatTopicEntityAsync(saved.chatTopicId), null);
  });

  it("lists the caller's topics and the users that can be assigned", async () => {
    const topics = await kuhn.chatTopicsForUserAsync();
    assert.deepEqual(
      topics.map((t) => t.chatTopicId),
      [128, 574],
    );
    const users = await kuhn.getUserAgentListAsync(true, false);
    assert.deepEqual(
      users.map((u) => u.id),
      [1, 589, 883, 900],
    );
    const groups = await kuhn.getUserAgentListAsync({ flat: false, onlyPresent: false });
    assert.equal(groups[1].childItems.length, 3);
  });

  it("manages members: add, get, update one and many, list, delete", async () => {
    const added = await admin.addChatTopicUserAgentAsync(128, {
      topicId: 128,
      user: { associateId: 589 } as never,
      canListen: false,
      canRespond: true,
      canManage: false,
      canNotify: false,
    });
    assert.equal(added.user?.userName, "ocon");
    assert.deepEqual((await presenceOf(server, 589)).ChatTopics, [128]);
    assert.equal((await kuhn.getChatTopicUserAgentAsync(128, "ocon")).canRespond, true);
    const updated = await admin.updateChatTopicUserAgentAsync(128, "ocon", {
      ...added,
      canManage: true,
    });
    assert.equal(updated.canManage, true);
    const all = await admin.updateChatTopicUserAgentsAsync(128, [{ ...added, canNotify: true }]);
    assert.deepEqual(
      all.map((a) => [a.user?.associateId, a.canNotify]),
      [
        [589, true],
        [883, false],
      ],
    );
    assert.equal((await kuhn.getChatTopicUserAgentListAsync(128)).length, 2);
    await admin.deleteChatTopicUserAgentAsync(128, "ocon");
    assert.equal(await kuhn.getChatTopicUserAgentAsync(128, "ocon"), null);
    assert.equal(await status(kuhn.deleteChatTopicUserAgentAsync(574, "ocon")), 403);
  });

  it("runs a session from the queue through pick-up, transfer and reset", async () => {
    const created = await ocon.createChatSessionForTopicAsync(574);
    assert.equal(created.status, "InQueue");
    assert.ok(created.whenRequested instanceof Date);
    const picked = await kuhn.pickUpChatSessionAsync(created.chatSessionId);
    assert.equal(picked.user?.associateId, 883);
    assert.equal(await admin.pickUpChatSessionAsync(created.chatSessionId), null, "taken: null");
    assert.equal((await presenceOf(server, 883)).OngoingChats, 3);

    const offered = await kuhn.transferChatSessionAsync(created.chatSessionId, "tje0");
    assert.equal(offered.transferTo?.userName, "tje0");
    const accepted = await admin.acceptChatSessionTransferAsync(created.chatSessionId);
    assert.equal(accepted.user?.userName, "tje0");
    assert.equal((await presenceOf(server, 1)).OngoingChats, 1);
    await admin.transferChatSessionAsync({
      chatSessionId: created.chatSessionId,
      toAssociate: "kuhn",
    });
    const rejected = await kuhn.rejectChatSessionTransferAsync(created.chatSessionId);
    assert.equal(rejected.transferTo, null);
    const reset = await admin.resetChatSessionAsync(created.chatSessionId);
    assert.equal(reset.status, "InQueue");
    assert.equal((await presenceOf(server, 1)).OngoingChats, 0);

    const first = await kuhn.pickUpFirstChatSessionAsync();
    assert.equal(first.chatSessionId, created.chatSessionId);
    assert.equal(await ocon.pickUpFirstChatSessionAsync(), null);
  });

  it("reads, lists and saves session entities", async () => {
    const session = await kuhn.getChatSessionEntityAsync(2);
    assert.equal(session.status, "CustomerLast");
    session.lastMessage = "Thanks";
    session.status = "Finished" as never;
    const saved = await kuhn.saveChatSessionEntityAsync(session);
    assert.deepEqual([saved.status, saved.lastMessage], ["Finished", "Thanks"]);
    assert.ok(saved.whenEnded instanceof Date);
    const mine = await kuhn.chatSessionsForUserAsync();
    assert.ok(mine.some((s) => s.chatSessionId === 2));
    assert.equal(await kuhn.getChatSessionEntityAsync(999), null);
    assert.equal(await status(ocon.getChatSessionEntityAsync(2)), 403);
  });

  it("creates default session and agent entities and deletes a session", async () => {
    const draft = await kuhn.createDefaultChatSessionEntityAsync();
    assert.deepEqual([draft.chatSessionId, draft.status], [0, "InQueue"]);
    const agent = await kuhn.createDefaultChatTopicAgentAsync();
    assert.deepEqual(
      [agent.topicId, agent.user?.associateId, agent.canListen, agent.canRespond],
      [0, 0, false, false],
    );
    const created = await ocon.createChatSessionForTopicAsync(574);
    assert.equal(await status(kuhn.deleteChatSessionEntityAsync(created.chatSessionId)), 403);
    await admin.deleteChatSessionEntityAsync(created.chatSessionId);
    assert.equal(await admin.getChatSessionEntityAsync(created.chatSessionId), null);
    await admin.deleteChatSessionEntityAsync(created.chatSessionId);
  });
});
