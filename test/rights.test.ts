/**
 * The chat rights rules (src/domain/rights.ts), for every combination of the four topic rights,
 * no membership at all, and each kind of caller: an administrator, the session's own user, the
 * user a transfer is offered to, and an agent with no tie to the session.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PresenceError } from "../src/domain/errors.ts";
import type { TopicRights } from "../src/domain/model.ts";
import type { Actor } from "../src/domain/presence.ts";
import {
  assertAdmin,
  assertMayChangeSession,
  assertMayManage,
  assertMayReadSession,
  assertMayReadTopic,
  assertMayReassign,
  assertMayRespond,
  isAdmin,
  mayReadSession,
  mayRespond,
} from "../src/domain/rights.ts";
import { type ChatSessionRecord, EMPTY_CUSTOMER } from "../src/domain/session.ts";

const TOPIC = 574;
const ADMIN: Actor = { userId: 1, username: "tje0", role: "admin" };
const OWNER: Actor = { userId: 2, username: "kuhn", role: "agent" };
const TARGET: Actor = { userId: 3, username: "ocon", role: "agent" };
const STRANGER: Actor = { userId: 4, username: "dahl", role: "agent" };
const ACTORS = [ADMIN, OWNER, TARGET, STRANGER];

const ref = (actor: Actor) => ({ id: actor.userId, username: actor.username, displayName: "" });
const SESSION: ChatSessionRecord = {
  id: 7,
  topicId: TOPIC,
  status: "UserLast",
  user: ref(OWNER),
  transferTo: ref(TARGET),
  customer: EMPTY_CUSTOMER,
  firstMessage: "",
  lastMessage: "",
  rating: 0,
  chatbotIsActive: false,
  whenRequested: 1,
  whenStarted: 2,
  whenEnded: null,
  whenIdle: null,
  initialQueuePos: 1,
};

/** All 16 combinations of the four rights, then null: not a member of the topic. */
const RIGHTS: (TopicRights | null)[] = [
  ...Array.from({ length: 16 }, (_, bits) => ({
    canListen: (bits & 1) !== 0,
    canRespond: (bits & 2) !== 0,
    canManage: (bits & 4) !== 0,
    canNotify: (bits & 8) !== 0,
  })),
  null,
];

function label(actor: Actor, rights: TopicRights | null): string {
  const held = rights && Object.entries(rights).filter(([, on]) => on);
  const what = rights === null ? "no membership" : held?.map(([name]) => name).join("+") || "none";
  return `${actor.username} (${actor.role}) with ${what}`;
}

/** "allowed", or the refusal's code and parameters. */
function outcome(check: () => void): string {
  try {
    check();
    return "allowed";
  } catch (error) {
    if (!(error instanceof PresenceError)) throw error;
    return `${error.code} ${JSON.stringify(error.params)}`;
  }
}

const any = (rights: TopicRights | null) =>
  Boolean(
    rights && (rights.canListen || rights.canRespond || rights.canManage || rights.canNotify),
  );
const refused = (code: string, params: object) => `${code} ${JSON.stringify(params)}`;

/** Runs `check` for every caller and rights combination against the rule's expected outcome. */
function eachCase(
  check: (actor: Actor, rights: TopicRights | null) => void,
  expected: (actor: Actor, rights: TopicRights | null) => string,
): void {
  for (const actor of ACTORS)
    for (const rights of RIGHTS)
      assert.equal(
        outcome(() => check(actor, rights)),
        expected(actor, rights),
        label(actor, rights),
      );
}

describe("chat rights", () => {
  it("knows administrators by role alone", () => {
    assert.equal(isAdmin(ADMIN), true);
    assert.equal(isAdmin(OWNER), false);
    assert.equal(
      outcome(() => assertAdmin(ADMIN)),
      "allowed",
    );
    assert.equal(
      outcome(() => assertAdmin(STRANGER)),
      refused("PRES_ERR_ADMIN_ONLY", {}),
    );
  });

  it("shows a topic to administrators and to members holding any right", () => {
    eachCase(
      (actor, rights) => assertMayReadTopic(actor, TOPIC, rights),
      (actor, rights) =>
        actor === ADMIN || any(rights)
          ? "allowed"
          : refused("PRES_ERR_NOT_MEMBER", { topicId: TOPIC }),
    );
  });

  it("lets only CanManage, or the admin role, change a topic", () => {
    eachCase(
      (actor, rights) => assertMayManage(actor, TOPIC, rights),
      (actor, rights) =>
        actor === ADMIN || rights?.canManage
          ? "allowed"
          : refused("PRES_ERR_TOPIC_RIGHT", { right: "CanManage", topicId: TOPIC }),
    );
  });

  it("lets only CanRespond, or the admin role, answer chats; CanManage alone is not enough", () => {
    eachCase(
      (actor, rights) => assertMayRespond(actor, TOPIC, rights),
      (actor, rights) =>
        actor === ADMIN || rights?.canRespond
          ? "allowed"
          : refused("PRES_ERR_TOPIC_RIGHT", { right: "CanRespond", topicId: TOPIC }),
    );
    for (const rights of RIGHTS) {
      assert.equal(mayRespond("admin", rights), true);
      assert.equal(mayRespond("agent", rights), Boolean(rights?.canRespond), label(OWNER, rights));
    }
  });

  it("shows a session to its user, the user it is offered to, topic members and admins", () => {
    eachCase(
      (actor, rights) => assertMayReadSession(actor, SESSION, rights),
      (actor, rights) =>
        actor !== STRANGER || any(rights)
          ? "allowed"
          : refused("PRES_ERR_SESSION_ACCESS", { sessionId: SESSION.id }),
    );
    for (const actor of ACTORS)
      for (const rights of RIGHTS)
        assert.equal(
          mayReadSession(actor, SESSION, rights),
          actor !== STRANGER || any(rights),
          label(actor, rights),
        );
  });

  it("lets a session's user, a manager of its topic or an admin change it; others who see it may not", () => {
    eachCase(
      (actor, rights) => assertMayChangeSession(actor, SESSION, rights),
      (actor, rights) => {
        if (actor === STRANGER && !any(rights))
          return refused("PRES_ERR_SESSION_ACCESS", { sessionId: SESSION.id });
        if (actor === ADMIN || actor === OWNER || rights?.canManage) return "allowed";
        return refused("PRES_ERR_SESSION_OWNER", { sessionId: SESSION.id });
      },
    );
  });

  it("lets only managers of the session's topic and admins reassign or delete it, not its user", () => {
    eachCase(
      (actor, rights) => assertMayReassign(actor, SESSION, rights),
      (actor, rights) =>
        actor === ADMIN || rights?.canManage
          ? "allowed"
          : refused("PRES_ERR_TOPIC_RIGHT", { right: "CanManage", topicId: TOPIC }),
    );
  });

  it("treats a queued session (no user, no transfer) as the topic's alone", () => {
    const queued = { ...SESSION, status: "InQueue" as const, user: null, transferTo: null };
    const listener = { canListen: true, canRespond: false, canManage: false, canNotify: false };
    assert.equal(mayReadSession(OWNER, queued, null), false, "not its user any more");
    assert.equal(mayReadSession(TARGET, queued, null), false, "no transfer any more");
    assert.equal(mayReadSession(OWNER, queued, listener), true);
    assert.equal(
      outcome(() => assertMayChangeSession(OWNER, queued, listener)),
      refused("PRES_ERR_SESSION_OWNER", { sessionId: SESSION.id }),
    );
  });
});
