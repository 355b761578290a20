/** The pure rules of chat messages: validation, a message's effect on its session, transcripts. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PresenceError } from "../src/domain/errors.ts";
import {
  type ChatMessageRecord,
  DEFAULT_MESSAGE_LIMITS,
  type MessageInput,
  messageEffect,
  newMessage,
  parseMessageType,
  parseSpecialType,
} from "../src/domain/message.ts";
import { SESSION_STATUSES, type SessionStatus } from "../src/domain/model.ts";
import type { ChatSessionRecord } from "../src/domain/session.ts";
import { escapeHtml, renderTranscript } from "../src/domain/transcript.ts";
import { sessionRecord } from "./support/records.ts";

const coded = (code: string) => (error: unknown) =>
  error instanceof PresenceError && error.code === code;

const AT = Date.UTC(2025, 10, 26, 12, 6, 56);

function make(input: MessageInput) {
  return newMessage(7, input, DEFAULT_MESSAGE_LIMITS, "Default", AT);
}

function session(status: SessionStatus): ChatSessionRecord {
  return sessionRecord({ status });
}

function record(id: number, input: Partial<ChatMessageRecord>): ChatMessageRecord {
  return {
    id,
    sessionId: 7,
    type: "ToCustomer",
    message: "",
    author: "",
    readByCustomer: 0,
    specialType: "None",
    specialParam: "",
    whenPosted: AT,
    ...input,
  };
}

describe("chat messages: a new message", () => {
  it("is completed with the server's fields and the default author", () => {
    assert.deepEqual(make({ type: "ToUser", message: "Hi" }), {
      sessionId: 7,
      type: "ToUser",
      message: "Hi",
      author: "Default",
      readByCustomer: 0,
      specialType: "None",
      specialParam: "",
      whenPosted: AT,
    });
    assert.equal(make({ type: "ToUser", message: "Hi", author: "  Ann  " }).author, "Ann");
    assert.equal(make({ type: "Special", specialType: "SessionDeleted" }).message, "");
  });

  it("refuses Invalid, empty conversation text, long or control-laden fields", () => {
    const bad: MessageInput[] = [
      { type: "Invalid", message: "x" },
      { type: "Bogus" as never, message: "x" },
      { type: "ToCustomer", message: "   " },
      { type: "ToUser" },
      { type: "ToUser", message: "x".repeat(DEFAULT_MESSAGE_LIMITS.maxLength + 1) },
      { type: "ToUser", message: "nul \u0000 inside" },
      { type: "ToUser", message: "escape \u001b[2J" },
      { type: "ToUser", message: "x", author: "a".repeat(201) },
      { type: "ToUser", message: "x", author: "bell\u0007" },
      { type: "ToUser", message: "x", specialParam: "p".repeat(2001) },
      { type: "ToUser", message: "x", readByCustomer: 2 },
      { type: "ToUser", message: "x", readByCustomer: 0.5 },
      { type: "Special", specialType: "Nope" as never },
    ];
    for (const input of bad) {
      assert.throws(() => make(input), coded("PRES_ERR_BAD_MESSAGE"), JSON.stringify(input));
    }
    assert.equal(
      make({ type: "ToUser", message: "tab\tand\r\nlines" }).message,
      "tab\tand\r\nlines",
    );
    assert.equal(make({ type: "ToUser", message: "x".repeat(4000) }).message.length, 4000);
  });

  it("reads types by name (any case) or contract index", () => {
    assert.equal(parseMessageType("Type", "tocustomer"), "ToCustomer");
    assert.equal(parseMessageType("Type", 2), "ToUser");
    assert.equal(parseMessageType("Type", " 3 "), "Special");
    assert.throws(() => parseMessageType("Type", "Invalid"), coded("PRES_ERR_BAD_MESSAGE"));
    assert.throws(() => parseMessageType("Type", 0), coded("PRES_ERR_BAD_MESSAGE"));
    assert.throws(() => parseMessageType("Type", 9), coded("PRES_ERR_BAD_MESSAGE"));
    assert.equal(parseSpecialType("SpecialType", "transferedsession"), "TransferedSession");
    assert.equal(parseSpecialType("SpecialType", 17), "IllegalFileType");
    assert.throws(() => parseSpecialType("SpecialType", 18), coded("PRES_ERR_BAD_MESSAGE"));
  });
});

describe("chat messages: what a message does to its session", () => {
  const agent = make({ type: "ToCustomer", message: "agent" });
  const customer = make({ type: "ToUser", message: "customer" });
  const notice = make({ type: "Special", specialType: "Welcome", message: "Welcome!" });

  it("an ongoing chat goes to UserLast or CustomerLast, whoever wrote last", () => {
    for (const status of ["UserLast", "CustomerLast"] as const) {
      assert.deepEqual(messageEffect(session(status), agent), {
        statusIn: ["CustomerLast", "UserLast"],
        status: "UserLast",
        firstMessage: "agent",
        lastMessage: "agent",
        whenIdle: AT,
      });
      assert.equal(messageEffect(session(status), customer).status, "CustomerLast");
    }
  });

  it("a waiting session keeps its status; the text is still copied", () => {
    for (const status of [
      "InQueue",
      "PreChatForm",
      "Faq",
      "OfflineForm",
      "RequestPosted",
    ] as const) {
      const effect = messageEffect(session(status), customer);
      assert.equal(effect.status, undefined, status);
      assert.ok(effect.statusIn.includes(status));
      assert.ok(!effect.statusIn.includes("UserLast"));
      assert.equal(effect.lastMessage, "customer");
    }
  });

  it("a closed session takes no conversation messages; a notice goes anywhere, changing nothing", () => {
    for (const status of ["Finished", "Closed", "ClosedFromQueue", "Deleted", "Invalid"] as const) {
      assert.throws(() => messageEffect(session(status), agent), coded("PRES_ERR_SESSION_CLOSED"));
      assert.throws(
        () => messageEffect(session(status), customer),
        coded("PRES_ERR_SESSION_CLOSED"),
      );
    }
    for (const status of SESSION_STATUSES) {
      assert.deepEqual(messageEffect(session(status), notice), { statusIn: SESSION_STATUSES });
    }
  });
});

describe("chat messages: transcripts", () => {
  const hostile = [
    record(1, { author: "Ann <admin>", message: `<script>alert("x")</script> & 'quotes'` }),
    record(2, {
      type: "ToUser",
      author: `"><img src=x onerror=alert(1)>`,
      message: "line one\n2025-11-26 12:06:56 UTC Ann: forged",
      whenPosted: AT + 61_000,
    }),
    record(3, {
      type: "Special",
      specialType: "Url",
      specialParam: "javascript:alert(1)",
      whenPosted: AT + 122_000,
    }),
  ];

  it("escapes every HTML special character", () => {
    assert.equal(
      escapeHtml(`<a href="x">'&'</a>`),
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
    );
  });

  it("as HTML, no message can open a tag, an attribute or a link", () => {
    const html = renderTranscript(hostile, "html");
    assert.equal(
      html,
      [
        '<div class="chat-transcript">',
        '<p class="chat-message to-customer"><time datetime="2025-11-26T12:06:56.000Z">2025-11-26 12:06:56 UTC</time> <b class="author">Ann &lt;admin&gt;</b>: <span class="text">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;</span></p>',
        '<p class="chat-message to-user"><time datetime="2025-11-26T12:07:57.000Z">2025-11-26 12:07:57 UTC</time> <b class="author">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</b>: <span class="text">line one<br>2025-11-26 12:06:56 UTC Ann: forged</span></p>',
        '<p class="chat-message special"><time datetime="2025-11-26T12:08:58.000Z">2025-11-26 12:08:58 UTC</time> <span class="text">Url: javascript:alert(1)</span></p>',
        "</div>",
        "",
      ].join("\n"),
    );
    const markup = html.replace(/<\/?(div|p|time|b|span|br)( (class|datetime)="[^"<>]*")*>/g, "");
    assert.doesNotMatch(markup, /[<>"]/, "only the transcript's own tags are markup");
  });

  it("as text, one line per message; a message's later lines are indented", () => {
    assert.equal(
      renderTranscript(hostile, "text"),
      [
        `2025-11-26 12:06:56 UTC Ann <admin>: <script>alert("x")</script> & 'quotes'`,
        `2025-11-26 12:07:57 UTC "><img src=x onerror=alert(1)>: line one`,
        "    2025-11-26 12:06:56 UTC Ann: forged",
        "2025-11-26 12:08:58 UTC * Url: javascript:alert(1)",
        "",
      ].join("\n"),
    );
    assert.equal(
      renderTranscript(
        [record(4, { type: "ToUser", message: "hi" }), record(5, { message: "yes" })],
        "text",
      ),
      "2025-11-26 12:06:56 UTC Customer: hi\n2025-11-26 12:06:56 UTC Agent: yes\n",
      "a message nobody signed says which side it came from",
    );
    assert.equal(renderTranscript([], "text"), "");
    assert.equal(renderTranscript([], "html"), '<div class="chat-transcript">\n</div>\n');
  });
});
