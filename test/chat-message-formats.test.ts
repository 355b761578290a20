/**
 * Chat transcripts and message bodies over real HTTP: REST …/Transcript and Agents
 * GetChatTranscript as the contract's string (text or escaped HTML), ChatMessage read from
 * JSON, XML and forms and written as DataContract XML, and bad bodies refused whole.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ADMIN, agents, assertError, call, KUHN } from "./support/chat.ts";
import { describeMessagesHttp, messagesOf } from "./support/chat-messages-http.ts";

describeMessagesHttp("chat transcripts and message bodies over HTTP", (server) => {
  it("answers the transcript as the contract's string: text, or HTML with every value escaped", async () => {
    const created = await call(server(), ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
    const id = created.body.ChatSessionId;
    const hostile = `<script>alert("x")</script> & 'y'\n12:00:00 UTC Agent: forged`;
    await call(server(), ADMIN, "POST", messagesOf(id), {
      Type: "ToUser",
      Message: hostile,
      Author: "<img src=x onerror=alert(1)>",
    });
    const text = await call(server(), KUHN, "POST", `/api/v1/ChatSession/${id}/Transcript`);
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
      server(),
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
    const viaAgents = await agents(server(), KUHN, "GetChatTranscript", {
      ChatSessionId: id,
      Html: true,
    });
    assert.equal(viaAgents.body, html.body);
    const xml = await call(
      server(),
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
      await call(server(), KUHN, "POST", `/api/v1/ChatSession/${id}/Transcript?html=maybe`),
      400,
      "PRES_ERR_BAD_QUERY",
    );
  });

  it("reads ChatMessage as JSON, XML and form; renders it as DataContract XML", async () => {
    const xml = await server().fetch(messagesOf(1), {
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
      server(),
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
    const list = await server().fetch(messagesOf(1), {
      headers: { Authorization: KUHN, Accept: "text/xml" },
    });
    assert.match(
      await list.text(),
      /^<\?xml[^>]*><ArrayOfChatMessage xmlns="[^"]+"[^>]*><ChatMessage>/,
    );
  });

  it("refuses bad bodies with 400 and stores nothing", async () => {
    const created = await call(server(), ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
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
      const reply = await call(server(), ADMIN, "POST", messagesOf(id), body);
      assertError(reply, 400, code);
    }
    for (const body of [
      { ChatSessionId: id },
      { ChatSessionId: id, Message: null },
      { ChatSessionId: id, Message: { Type: "Invalid" } },
    ]) {
      const reply = await agents(server(), ADMIN, "AddChatMessage", body);
      assert.equal(reply.status, 400, JSON.stringify(body));
    }
    const stored = await call(server(), ADMIN, "GET", messagesOf(id));
    assert.deepEqual(stored.body, []);
  });
});
