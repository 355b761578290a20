/**
 * Saving is all-or-nothing, duplicates are legal (last wins), and an agent
 * may change only their own presence while an admin may change anyone's.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import {
  ADMIN,
  type Entry,
  expectError,
  KUHN,
  OCON,
  post,
  presentByUser,
  ROUTES,
  readAll,
  setPresent,
} from "./support/rest.ts";
import { testServerSuite } from "./support/server.ts";

/** Both save routes: the REST one takes a bare array, the Agents one wraps it. */
const SAVES = [
  { route: ROUTES.saveAll, wrap: (list: unknown[]) => list },
  { route: ROUTES.saveChat, wrap: (list: unknown[]) => ({ ChatPresence: list }) },
];

const ALL_AWAY: Entry[] = [1, 589, 883, 900].map((UserId) => ({ UserId, Present: false }));

describe("saving presence: duplicates, atomicity, rights", () => {
  const suite = testServerSuite();
  beforeEach(() => setPresent(suite.server, ALL_AWAY));

  const away = { 1: false, 589: false, 883: false, 900: false };

  for (const { route, wrap } of SAVES) {
    it(`${route}: duplicates are legal and the last entry wins, either way round`, async () => {
      for (const last of [true, false, true]) {
        const body = wrap([
          { UserId: 883, Present: !last },
          { UserId: 883, Present: last },
        ]);
        assert.equal((await post(suite.server, route, body)).status, 204);
        assert.equal((await presentByUser(suite.server))[883], last);
      }
    });

    it(`${route}: an empty list is a no-op 204`, async () => {
      assert.equal((await post(suite.server, route, wrap([]))).status, 204);
      assert.deepEqual(await presentByUser(suite.server), away);
    });

    it(`${route}: an unknown UserId rejects the whole save with 400 naming index and id`, async () => {
      const body = wrap([
        { UserId: 883, Present: true },
        { UserId: 589, Present: true },
        { UserId: 4242, Present: true },
      ]);
      const error = await expectError(await post(suite.server, route, body), 400, {
        type: "ArgumentException",
      });
      assert.match(error.ErrorMessage, /\b2\b/, "names the entry's index");
      assert.match(error.ErrorMessage, /4242/, "names the UserId");
      assert.deepEqual(await presentByUser(suite.server), away, "nothing was saved");
    });

    const badEntries: [string, unknown, RegExp][] = [
      ["a UserId of the wrong type", { UserId: "abc", Present: true }, /"abc"/],
      ["a fractional UserId", { UserId: 589.5, Present: true }, /UserId/],
      ["a Present of the wrong type", { UserId: 589, Present: "yes" }, /589/],
      ["a null Present", { UserId: 589, Present: null }, /589/],
      ["a null entry", null, /UserId/],
      ["an entry that is not an object", [589], /UserId/],
    ];
    for (const [what, bad, names] of badEntries) {
      it(`${route}: ${what} rejects the whole save with 400`, async () => {
        const body = wrap([{ UserId: 883, Present: true }, bad]);
        const error = await expectError(await post(suite.server, route, body), 400, {
          type: "ArgumentException",
          message: /\b1\b/,
        });
        assert.match(error.ErrorMessage, names);
        assert.deepEqual(await presentByUser(suite.server), away, "nothing was saved");
      });
    }

    it(`${route}: an agent may save their own presence`, async () => {
      const body = wrap([{ UserId: 883, Present: true }]);
      assert.equal((await post(suite.server, route, body, { auth: KUHN })).status, 204);
      assert.deepEqual(await presentByUser(suite.server), { ...away, 883: true });
    });

    it(`${route}: an agent may not save someone else's: 403, nothing saved`, async () => {
      const body = wrap([
        { UserId: 883, Present: true },
        { UserId: 589, Present: true },
      ]);
      const error = await expectError(await post(suite.server, route, body, { auth: KUHN }), 403, {
        type: "SoAccessDeniedException",
      });
      assert.match(error.ErrorMessage, /\b1\b.*589/);
      assert.deepEqual(await presentByUser(suite.server), away, "not even the agent's own entry");
    });

    it(`${route}: an unknown user is 400 for an agent too, before any 403`, async () => {
      const body = wrap([{ UserId: 4242, Present: true }]);
      await expectError(await post(suite.server, route, body, { auth: OCON }), 400, {
        message: /4242/,
      });
    });

    it(`${route}: an admin may save anyone's presence`, async () => {
      const body = wrap(ALL_AWAY.map((e) => ({ ...e, Present: true })));
      assert.equal((await post(suite.server, route, body, { auth: ADMIN })).status, 204);
      assert.deepEqual(await presentByUser(suite.server), {
        1: true,
        589: true,
        883: true,
        900: true,
      });
    });
  }

  it("lets an agent read everyone's presence on both read routes", async () => {
    await setPresent(suite.server, [{ UserId: 589, Present: true }]);
    for (const route of [ROUTES.getAll, ROUTES.getChat]) {
      const all = await readAll(suite.server, route, KUHN);
      assert.deepEqual(
        all.map((p) => [p.UserId, p.Present]),
        [
          [1, false],
          [589, true],
          [883, false],
          [900, false],
        ],
      );
    }
  });

  it("shows a save on the next read (no stale cache)", async () => {
    const before = await readAll(suite.server);
    assert.equal(before.find((p) => p.UserId === 900)?.Present, false);
    await post(suite.server, ROUTES.saveAll, [{ UserId: 900, Present: true }]);
    const after = await readAll(suite.server, ROUTES.getChat);
    assert.equal(after.find((p) => p.UserId === 900)?.Present, true);
  });
});
