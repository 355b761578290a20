import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SEEDED_KUHN } from "./support/rest.ts";
import { basic, testServerSuite } from "./support/server.ts";

describe("REST presence: seed samples", () => {
  const suite = testServerSuite();

  it("reproduces the Presence/SaveAll sample: 204, no body, duplicates accepted", async () => {
    const response = await suite.server.fetch("/api/v1/Presence/SaveAll", {
      method: "POST",
      headers: {
        Authorization: "Basic dGplMDpUamUw",
        Accept: "application/json; charset=utf-8",
        "Accept-Language": "en",
        "Content-Type": "application/json; charset=utf-8",
      },
      body: JSON.stringify([
        {
          UserId: 589,
          DisplayName: "O'Connell, Hilll and Legros",
          OngoingChats: 791,
          Present: false,
          ChatTopics: [903, 137],
        },
        {
          UserId: 589,
          DisplayName: "O'Connell, Hilll and Legros",
          OngoingChats: 791,
          Present: true,
          ChatTopics: [903, 137],
        },
      ]),
    });
    assert.equal(response.status, 204);
    assert.equal(await response.text(), "");
    const all = await (
      await suite.server.fetch("/api/v1/Presence/GetAll", {
        headers: { Authorization: basic("tje0", "Tje0") },
      })
    ).json();
    const user = all.find((p: { UserId: number }) => p.UserId === 589);
    assert.equal(user.Present, true, "the last duplicate wins");
    assert.equal(user.DisplayName, "User ocon", "DisplayName in a save is ignored");
    assert.deepEqual(user.ChatTopics, [], "a membership without rights is no topic");
  });

  it("computes OngoingChats and ChatTopics from the directory", async () => {
    const all = await (
      await suite.server.fetch("/api/v1/Presence/GetAll", {
        headers: { Authorization: basic("tje0", "Tje0") },
      })
    ).json();
    const kuhn = all.find((p: { UserId: number }) => p.UserId === 883);
    assert.deepEqual(kuhn, SEEDED_KUHN);
  });
});
