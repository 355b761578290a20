/**
 * Chat messages and transcripts over real HTTP: REST …/ChatSession/{id}/Messages and
 * /Transcript, Agents AddChatMessage / GetChatMessages / GetChatTranscript, on SQLite and on
 * PostgreSQL. Seed: kuhn (883) owns sessions 1 (UserLast) and 2 (CustomerLast) in topic 574
 * where he can respond, session 3 is Closed, session 4 waits in topic 128 where kuhn only
 * listens; ocon (589) is a member of 574 without rights.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, agents, assertError, call, KUHN, OCON, presenceOf } from "./support/chat.ts";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const skipPostgres = await announceSkip("chat messages over HTTP");

const messagesOf = (id: number, query = "") => `/api/v1/ChatSession/${id}/Messages${query}`;

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`chat messages over HTTP (${backend})`, {
    skip: backend === "postgres" && skipPostgres,
  }, () => {
    let server: TestServer;
    const scratch = scratchSchema();
    before(async () => {
      server = await startTestServer({
        messagesPage: 3,
        ...(backend === "postgres" ? { db: scratch.url } : {}),
      });
    });
    after(async () => {
      await server?.close();
      if (backend === "postgres") await scratch.drop();
    });

    it("posts a message and answers it as the ChatMessage stored; the session moves", async () => {
      const before = Date.now();
      const posted = await call(server, KUHN, "POST", messagesOf(2), {
        Type: "ToCustomer",
        Message: "How can I help?",
        ChatSessionId: 999,
        ChatMessageId: 77,
      });
      assert.equal(posted.status, 200, JSON.stringify(posted.body));
      const m = posted.body;
      assert.deepEqual(Object.keys(m), [
        "ChatMessageId",
        "ChatSessionId",
        "Type",
        "Message",
        "Author",
        "ReadByCustomer",
        "SpecialType",
        "SpecialParam",
        "WhenPosted",
      ]);
      assert.ok(m.ChatMessageId > 0 && m.ChatMessageId !== 77, "the id is the server's");
      assert.deepEqual(
        [m.ChatSessionId, m.Type, m.Message, m.Author, m.ReadByCustomer, m.SpecialType],
        [2, "ToCustomer", "How can I help?", "User kuhn", 0, "None"],
      );
      assert.ok(Date.parse(m.WhenPosted) >= before - 1000);
      const session = await call(server, KUHN, "GET", "/api/v1/ChatSession/2");
      assert.deepEqual(
        [session.body.Status, session.body.LastMessage, session.body.WhenIdle],
        ["UserLast", "How can I help?", m.WhenPosted],
      );
      const answer = await call(server, KUHN, "POST", messagesOf(2), {
        Type: 2,
        Message: "My order",
        Author: "Ada",
      });
      assert.deepEqual([answer.status, answer.body.Type], [200, "ToUser"], "an enum by number");
      const again = await call(server, KUHN, "GET", "/api/v1/ChatSession/2");
      assert.equal(again.body.Status, "CustomerLast");
      // Agents renders the same session carrier, WhenIdle included.
      const viaAgents = await agents(
        server,
        KUHN,
        "GetChatSessionEntity",
        {},
        "?chatSessionEntityId=2",
      );
      assert.equal(viaAgents.body.WhenIdle, answer.body.WhenPosted);
    });

    it("lists oldest first, one page at most, and pages on with after", async () => {
      const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
      const id = created.body.ChatSessionId;
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const reply = await call(server, ADMIN, "POST", messagesOf(id), {
          Type: "ToUser",
          Message: `m${i}`,
        });
        ids.push(reply.body.ChatMessageId);
      }
      const first = await call(server, KUHN, "GET", messagesOf(id));
      assert.equal(first.status, 200);
      assert.deepEqual(
        first.body.map((m: { Message: string }) => m.Message),
        ["m0", "m1", "m2"],
      );
      const rest = await call(server, KUHN, "GET", messagesOf(id, `?after=${ids[2]}`));
      assert.deepEqual(
        rest.body.map((m: { ChatMessageId: number }) => m.ChatMessageId),
        ids.slice(3),
      );
      const viaAgents = await agents(server, KUHN, "GetChatMessages", {
        ChatSessionId: id,
        After: ids[3],
      });
      assert.deepEqual(
        viaAgents.body.map((m: { Message: string }) => m.Message),
        ["m4"],
      );
      assertError(
        await call(server, KUHN, "GET", messagesOf(id, "?after=-1")),
        400,
        "PRES_ERR_BAD_QUERY",
      );
      assertError(
        await call(server, KUHN, "GET", messagesOf(id, "?after=x")),
        400,
        "PRES_ERR_BAD_QUERY",
      );
      assertError(
        await agents(server, KUHN, "GetChatMessages", { ChatSessionId: id, After: -1 }),
        400,
        "PRES_ERR_BAD_BODY",
      );
    });

    it("a queued session stays queued; once picked up, messages keep it counted in OngoingChats", async () => {
      const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
      const id = created.body.ChatSessionId;
      const ongoing = (await presenceOf(server, 883)).OngoingChats;
      await call(server, ADMIN, "POST", messagesOf(id), { Type: "ToUser", Message: "Hello?" });
      const queued = await call(server, KUHN, "GET", `/api/v1/ChatSession/${id}`);
      assert.deepEqual([queued.body.Status, queued.body.FirstMessage], ["InQueue", "Hello?"]);
      const picked = await call(server, KUHN, "POST", `/api/v1/ChatSession/${id}/Pickup`);
      assert.equal(picked.body.Status, "UserLast");
      assert.equal((await presenceOf(server, 883)).OngoingChats, ongoing + 1);
      const viaAgents = await agents(server, KUHN, "AddChatMessage", {
        ChatSessionId: id,
        Message: { Type: "ToCustomer", Message: "Hi, Kuhn here" },
      });
      assert.deepEqual([viaAgents.status, viaAgents.body.ChatSessionId], [200, id]);
      await call(server, ADMIN, "POST", messagesOf(id), { Type: "ToUser", Message: "Thanks" });
      const session = await call(server, KUHN, "GET", `/api/v1/ChatSession/${id}`);
      assert.deepEqual([session.body.Status, session.body.LastMessage], ["CustomerLast", "Thanks"]);
      const presence = await presenceOf(server, 883);
      assert.equal(presence.OngoingChats, ongoing + 1, "CustomerLast counts as UserLast did");
      const agentsPresence = await agents(server, ADMIN, "GetChatPresence");
      const row = agentsPresence.body.find((p: { UserId: number }) => p.UserId === 883);
      assert.equal(row.OngoingChats, ongoing + 1);
    });

    it("refuses callers without the session's rights, on REST and Agents alike", async () => {
      // ocon is a member of 574 without rights: may neither read nor post.
      for (const reply of [
        await call(server, OCON, "GET", messagesOf(1)),
        await call(server, OCON, "POST", messagesOf(1), { Type: "ToCustomer", Message: "x" }),
        await call(server, OCON, "POST", "/api/v1/ChatSession/1/Transcript"),
        await agents(server, OCON, "GetChatMessages", { ChatSessionId: 1 }),
        await agents(server, OCON, "AddChatMessage", {
          ChatSessionId: 1,
          Message: { Type: "ToCustomer", Message: "x" },
        }),
        await agents(server, OCON, "GetChatTranscript", { ChatSessionId: 1 }),
      ])
        assertError(reply, 403, "PRES_ERR_SESSION_ACCESS");
      // kuhn only listens in 128: reads session 4, may not post to it.
      assert.equal((await call(server, KUHN, "GET", messagesOf(4))).status, 200);
      assertError(
        await call(server, KUHN, "POST", messagesOf(4), { Type: "ToCustomer", Message: "x" }),
        403,
        "PRES_ERR_SESSION_OWNER",
      );
      assertError(
        await agents(server, KUHN, "AddChatMessage", {
          ChatSessionId: 4,
          Message: { Type: "ToCustomer", Message: "x" },
        }),
        403,
        "PRES_ERR_SESSION_OWNER",
      );
      const stored = await call(server, ADMIN, "GET", messagesOf(4));
      assert.deepEqual(stored.body, [], "nothing refused was stored");
    });

    it("REST says 404 for a missing session, Agents null", async () => {
      assertError(await call(server, KUHN, "GET", messagesOf(999)), 404, "PRES_ERR_NO_SESSION");
      assertError(
        await call(server, KUHN, "POST", messagesOf(999), { Type: "ToCustomer", Message: "x" }),
        404,
        "PRES_ERR_NO_SESSION",
      );
      assertError(
        await call(server, KUHN, "POST", "/api/v1/ChatSession/999/Transcript"),
        404,
        "PRES_ERR_NO_SESSION",
      );
      for (const [name, body] of [
        ["AddChatMessage", { ChatSessionId: 999, Message: { Type: "ToCustomer", Message: "x" } }],
        ["GetChatMessages", { ChatSessionId: 999 }],
        ["GetChatTranscript", { ChatSessionId: 999, Html: true }],
      ] as const) {
        const reply = await agents(server, KUHN, name, body);
        assert.deepEqual([reply.status, reply.body], [200, null], name);
      }
    });

    it("a closed session takes no more messages: 409 on REST and Agents", async () => {
      assertError(
        await call(server, ADMIN, "POST", messagesOf(3), { Type: "ToCustomer", Message: "x" }),
        409,
        "PRES_ERR_SESSION_CLOSED",
      );
      assertError(
        await agents(server, ADMIN, "AddChatMessage", {
          ChatSessionId: 3,
          Message: { Type: "ToUser", Message: "x" },
        }),
        409,
        "PRES_ERR_SESSION_CLOSED",
      );
    });

    it("answers the transcript as the contract's string: text, or HTML with every value escaped", async () => {
      const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
      const id = created.body.ChatSessionId;
      const hostile = `<script>alert("x")</script> & 'y'\n12:00:00 UTC Agent: forged`;
      await call(server, ADMIN, "POST", messagesOf(id), {
        Type: "ToUser",
        Message: hostile,
        Author: "<img src=x onerror=alert(1)>",
      });
      const text = await call(server, KUHN, "POST", `/api/v1/ChatSession/${id}/Transcript`);
      assert.equal(text.status, 200);
      assert.match(text.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(typeof text.body, "string");
      const lines = text.body.trimEnd().split("\n");
      assert.equal(lines.length, 2);
      assert.match(
        lines[0],
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC <img src=x onerror=alert\(1\)>: <script>/,
      );
      assert.match(lines[1], /^ {4}12:00:00 UTC Agent: forged$/, "a message cannot forge a line");
      const html = await call(
        server,
        KUHN,
        "POST",
        `/api/v1/ChatSession/${id}/Transcript?html=true`,
      );
      assert.doesNotMatch(html.body, /<script|<img/);
      assert.match(html.body, /^<div class="chat-transcript">/);
      assert.match(
        html.body,
        /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &#39;y&#39;<br>/,
      );
      assert.match(html.body, /<b class="author">&lt;img src=x onerror=alert\(1\)&gt;<\/b>/);
      const viaAgents = await agents(server, KUHN, "GetChatTranscript", {
        ChatSessionId: id,
        Html: true,
      });
      assert.equal(viaAgents.body, html.body);
      const xml = await call(
        server,
        KUHN,
        "POST",
        `/api/v1/ChatSession/${id}/Transcript?html=true`,
        undefined,
        {
          Accept: "application/xml",
        },
      );
      assert.match(xml.headers.get("content-type") ?? "", /^application\/xml/);
      assert.match(
        xml.body,
        /^<\?xml[^>]*><string xmlns="[^"]+"[^>]*>&lt;div class=&quot;chat-transcript&quot;&gt;/,
      );
      assertError(
        await call(server, KUHN, "POST", `/api/v1/ChatSession/${id}/Transcript?html=maybe`),
        400,
        "PRES_ERR_BAD_QUERY",
      );
    });

    it("reads ChatMessage as JSON, XML and form; renders it as DataContract XML", async () => {
      const xml = await server.fetch(messagesOf(1), {
        method: "POST",
        headers: {
          Authorization: KUHN,
          "Content-Type": "application/xml",
          Accept: "application/xml",
        },
        body: '<ChatMessage xmlns="http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services"><Type>ToCustomer</Type><Message>a &lt; b</Message><ReadByCustomer>1</ReadByCustomer></ChatMessage>',
      });
      const text = await xml.text();
      assert.equal(xml.status, 200, text);
      assert.match(
        text,
        /^<\?xml[^>]*><ChatMessage xmlns="http:\/\/schemas\.datacontract\.org\/2004\/07\/SuperOffice\.CRM\.Services" xmlns:i="[^"]+"><ChatMessageId>\d+<\/ChatMessageId><ChatSessionId>1<\/ChatSessionId><Type>ToCustomer<\/Type><Message>a &lt; b<\/Message>/,
      );
      assert.match(text, /<ReadByCustomer>1<\/ReadByCustomer>/);
      const form = await call(
        server,
        KUHN,
        "POST",
        messagesOf(1),
        "Type=Special&SpecialType=Url&SpecialParam=javascript%3Aalert(1)",
        {
          "Content-Type": "application/x-www-form-urlencoded",
        },
      );
      assert.deepEqual(
        [form.status, form.body.Type, form.body.SpecialType, form.body.SpecialParam],
        [200, "Special", "Url", "javascript:alert(1)"],
      );
      const list = await server.fetch(messagesOf(1), {
        headers: { Authorization: KUHN, Accept: "text/xml" },
      });
      assert.match(
        await list.text(),
        /^<\?xml[^>]*><ArrayOfChatMessage xmlns="[^"]+"[^>]*><ChatMessage>/,
      );
    });

    it("refuses bad bodies with 400 and stores nothing", async () => {
      const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
      const id = created.body.ChatSessionId;
      const cases: [unknown, string][] = [
        [{ Message: "no type" }, "PRES_ERR_BAD_MESSAGE"],
        [{ Type: "Invalid", Message: "x" }, "PRES_ERR_BAD_MESSAGE"],
        [{ Type: 0, Message: "x" }, "PRES_ERR_BAD_MESSAGE"],
        [{ Type: 9, Message: "x" }, "PRES_ERR_BAD_MESSAGE"],
        [{ Type: "Shout", Message: "x" }, "PRES_ERR_BAD_MESSAGE"],
        [{ Type: "ToUser", Message: "   " }, "PRES_ERR_BAD_MESSAGE"],
        [{ Type: "ToUser", Message: "bell\u0007" }, "PRES_ERR_BAD_MESSAGE"],
        [{ Type: "ToUser", Message: "x".repeat(4001) }, "PRES_ERR_BAD_MESSAGE"],
        [{ Type: "ToUser", Message: "x", ReadByCustomer: 2 }, "PRES_ERR_BAD_MESSAGE"],
        [{ Type: "Special", SpecialType: "Nope" }, "PRES_ERR_BAD_MESSAGE"],
        [{ Type: "ToUser", Message: 5 }, "PRES_ERR_BAD_BODY"],
        [{ Type: true, Message: "x" }, "PRES_ERR_BAD_BODY"],
        [["ToUser"], "PRES_ERR_BAD_BODY"],
        ["null", "PRES_ERR_BAD_BODY"],
        ["{not json", "PRES_ERR_BAD_BODY"],
      ];
      for (const [body, code] of cases) {
        const reply = await call(server, ADMIN, "POST", messagesOf(id), body);
        assertError(reply, 400, code);
      }
      for (const body of [
        { ChatSessionId: id },
        { ChatSessionId: id, Message: null },
        { ChatSessionId: id, Message: { Type: "Invalid" } },
      ]) {
        const reply = await agents(server, ADMIN, "AddChatMessage", body);
        assert.equal(reply.status, 400, JSON.stringify(body));
      }
      const stored = await call(server, ADMIN, "GET", messagesOf(id));
      assert.deepEqual(stored.body, []);
    });
  });
}
