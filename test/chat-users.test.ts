/** /api/v1/ChatUser, the user directory for administrators (an extension). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADMIN, assertError, call, KUHN, presenceOf } from "./support/chat.ts";
import { basic, testServerSuite } from "./support/server.ts";

describe("ChatUser (extension)", () => {
  const suite = testServerSuite();

  it("lists and gets users without exposing password hashes", async () => {
    const list = await call(suite.server, ADMIN, "GET", "/api/v1/ChatUser");
    assert.equal(list.status, 200);
    assert.deepEqual(list.body[3], {
      UserId: 900,
      Username: "tick",
      DisplayName: "User tick",
      Role: "agent",
      Present: false,
      HasPassword: false,
      PresenceTtl: 0,
      MaxChats: 0,
    });
    assert.ok(!JSON.stringify(list.body).includes("scrypt"));
    assert.equal(
      (await call(suite.server, ADMIN, "GET", "/api/v1/ChatUser/883")).body.Username,
      "kuhn",
    );
    assertError(
      await call(suite.server, ADMIN, "GET", "/api/v1/ChatUser/4242"),
      404,
      "PRES_ERR_NO_USER",
    );
  });

  it("creates a user (201 + Location) who can sign in and shows in presence at once", async () => {
    const created = await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser", {
      Username: "lena",
      DisplayName: "Lena L",
      Role: "agent",
      Password: "long-enough",
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("location"), `/api/v1/ChatUser/${created.body.UserId}`);
    assert.deepEqual([created.body.Role, created.body.HasPassword], ["agent", true]);
    const me = await call(suite.server, basic("lena", "long-enough"), "GET", "/api/v1/Auth/Me");
    assert.equal(me.body.UserId, created.body.UserId);
    assert.equal((await presenceOf(suite.server, created.body.UserId)).Present, false);
    const withId = await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser", {
      UserId: 5000,
      Username: "mo",
    });
    assert.deepEqual(
      [withId.body.UserId, withId.body.DisplayName, withId.body.HasPassword],
      [5000, "mo", false],
    );
  });

  it("refuses a taken username or id, and bad fields", async () => {
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser", { Username: "KUHN" }),
      409,
      "PRES_ERR_USERNAME_TAKEN",
    );
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser", {
        UserId: 883,
        Username: "new1",
      }),
      409,
      "PRES_ERR_CONFLICT",
    );
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser", { Username: "" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser", { Username: "a b" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser", { Username: "x1", Role: "boss" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser", {
        Username: "x2",
        Password: "short",
      }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser", { Username: 7 }),
      400,
      "PRES_ERR_BAD_BODY",
    );
  });

  it("updates name, display name and role; presence shows the new name", async () => {
    const updated = await call(suite.server, ADMIN, "PUT", "/api/v1/ChatUser/589", {
      DisplayName: "Olivia O'Con",
    });
    assert.deepEqual([updated.body.Username, updated.body.DisplayName], ["ocon", "Olivia O'Con"]);
    const all = await call(suite.server, ADMIN, "GET", "/api/v1/Presence/GetAll");
    assert.equal(
      all.body.find((p: { UserId: number }) => p.UserId === 589).DisplayName,
      "Olivia O'Con",
    );
    const promoted = await call(suite.server, ADMIN, "PUT", "/api/v1/ChatUser/589", {
      Role: "admin",
    });
    assert.equal(promoted.body.Role, "admin");
    assert.equal(
      (await call(suite.server, basic("ocon", "s3cret-pw"), "GET", "/api/v1/ChatUser")).status,
      200,
    );
    assertError(
      await call(suite.server, ADMIN, "PUT", "/api/v1/ChatUser/589", { Username: "tick" }),
      409,
      "PRES_ERR_USERNAME_TAKEN",
    );
    assertError(
      await call(suite.server, ADMIN, "PUT", "/api/v1/ChatUser/4242", { Role: "agent" }),
      404,
      "PRES_ERR_NO_USER",
    );
  });

  it("resets a password: a made-up one is returned once, old credentials stop working", async () => {
    const ticket = `SoTicket ${await suite.server.services.auth.issue("ticket", 883)}`;
    assert.equal((await call(suite.server, ticket, "GET", "/api/v1/Auth/Me")).status, 200);
    const reset = await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser/883/Password");
    assert.equal(reset.status, 200);
    assert.ok(reset.body.Password.length >= 12);
    assert.equal(
      (await call(suite.server, ticket, "GET", "/api/v1/Auth/Me")).status,
      401,
      "tickets revoked",
    );
    assert.equal(
      (await call(suite.server, KUHN, "GET", "/api/v1/Auth/Me")).status,
      401,
      "old password",
    );
    assert.equal(
      (await call(suite.server, basic("kuhn", reset.body.Password), "GET", "/api/v1/Auth/Me"))
        .status,
      200,
    );
    const given = await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser/883/Password", {
      Password: "s3cret-pw",
    });
    assert.equal(given.status, 204);
    assert.equal((await call(suite.server, KUHN, "GET", "/api/v1/Auth/Me")).status, 200);
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatUser/883/Password", { Password: "x" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
  });

  it("is for administrators only, and an administrator cannot remove themselves", async () => {
    assertError(
      await call(suite.server, KUHN, "GET", "/api/v1/ChatUser"),
      403,
      "PRES_ERR_ADMIN_ONLY",
    );
    assertError(
      await call(suite.server, KUHN, "POST", "/api/v1/ChatUser", { Username: "sneaky" }),
      403,
      "PRES_ERR_ADMIN_ONLY",
    );
    assertError(
      await call(suite.server, KUHN, "POST", "/api/v1/ChatUser/883/Password"),
      403,
      "PRES_ERR_ADMIN_ONLY",
    );
    assertError(
      await call(suite.server, ADMIN, "DELETE", "/api/v1/ChatUser/1"),
      409,
      "PRES_ERR_SELF",
    );
    assertError(
      await call(suite.server, ADMIN, "PUT", "/api/v1/ChatUser/1", { Role: "agent" }),
      409,
      "PRES_ERR_SELF",
    );
  });

  it("deletes a user (204); they vanish from presence and can no longer sign in", async () => {
    assert.equal((await call(suite.server, ADMIN, "DELETE", "/api/v1/ChatUser/883")).status, 204);
    const all = await call(suite.server, ADMIN, "GET", "/api/v1/Presence/GetAll");
    assert.ok(!all.body.some((p: { UserId: number }) => p.UserId === 883));
    assert.equal((await call(suite.server, KUHN, "GET", "/api/v1/Auth/Me")).status, 401);
    assertError(
      await call(suite.server, ADMIN, "DELETE", "/api/v1/ChatUser/883"),
      404,
      "PRES_ERR_NO_USER",
    );
    const session = await call(suite.server, ADMIN, "GET", "/api/v1/ChatSession/1");
    assert.deepEqual(
      [session.body.Status, session.body.User],
      ["InQueue", null],
      "their chat went back to the queue",
    );
  });

  it("is documented as an extension in /openapi.json", async () => {
    const doc = (await call(suite.server, ADMIN, "GET", "/openapi.json")).body;
    assert.ok(doc.paths["/api/v1/ChatUser"].get["x-extension"]);
    assert.ok(doc.paths["/api/v1/ChatUser/{id}/Password"].post["x-extension"]);
    assert.equal(doc.paths["/api/v1/ChatTopic/{id}"].get["x-extension"], undefined);
    assert.ok(doc.paths["/api/v1/Agents/Chat/PickUpChatSession"].post);
  });
});
