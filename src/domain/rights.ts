/**
 * Who may do what with chat topics and sessions. Pure: the caller passes the actor and the
 * actor's rights in the topic concerned (null when not a member). Administrators may do all.
 */
import { PresenceError } from "./errors.ts";
import { hasAnyRight, type Role, type TopicRights } from "./model.ts";
import type { Actor } from "./presence.ts";
import type { ChatSessionRecord } from "./session.ts";

export function isAdmin(actor: Pick<Actor, "role">): boolean {
  return actor.role === "admin";
}

export function assertAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new PresenceError("PRES_ERR_ADMIN_ONLY");
}

/** A topic, and its member list, are visible to its members (any right) and administrators. */
export function assertMayReadTopic(actor: Actor, topicId: number, rights: TopicRights | null) {
  if (!isAdmin(actor) && !(rights && hasAnyRight(rights))) {
    throw new PresenceError("PRES_ERR_NOT_MEMBER", { topicId });
  }
}

/** Changing a topic or its members needs CanManage on it. */
export function assertMayManage(actor: Actor, topicId: number, rights: TopicRights | null) {
  if (!isAdmin(actor) && !rights?.canManage) {
    throw new PresenceError("PRES_ERR_TOPIC_RIGHT", { right: "CanManage", topicId });
  }
}

/** Whether a user (by role and rights) may answer chats in a topic; presence does not matter. */
export function mayRespond(role: Role, rights: TopicRights | null): boolean {
  return role === "admin" || Boolean(rights?.canRespond);
}

export function assertMayRespond(actor: Actor, topicId: number, rights: TopicRights | null) {
  if (!mayRespond(actor.role, rights)) {
    throw new PresenceError("PRES_ERR_TOPIC_RIGHT", { right: "CanRespond", topicId });
  }
}

/** A session is visible to its user, the user it is offered to, and members of its topic. */
export function mayReadSession(
  actor: Actor,
  session: ChatSessionRecord,
  rights: TopicRights | null,
): boolean {
  return (
    isAdmin(actor) ||
    session.user?.id === actor.userId ||
    session.transferTo?.id === actor.userId ||
    Boolean(rights && hasAnyRight(rights))
  );
}

export function assertMayReadSession(
  actor: Actor,
  session: ChatSessionRecord,
  rights: TopicRights | null,
) {
  if (!mayReadSession(actor, session, rights)) {
    throw new PresenceError("PRES_ERR_SESSION_ACCESS", { sessionId: session.id });
  }
}

/** Saving or resetting a session: its own user, a manager of its topic, or an administrator. */
export function assertMayChangeSession(
  actor: Actor,
  session: ChatSessionRecord,
  rights: TopicRights | null,
) {
  assertMayReadSession(actor, session, rights);
  if (!isAdmin(actor) && !rights?.canManage && session.user?.id !== actor.userId) {
    throw new PresenceError("PRES_ERR_SESSION_OWNER", { sessionId: session.id });
  }
}

/** Reassigning a chat to someone else, or deleting it: managers and administrators only. */
export function assertMayReassign(
  actor: Actor,
  session: ChatSessionRecord,
  rights: TopicRights | null,
) {
  if (!isAdmin(actor) && !rights?.canManage) {
    throw new PresenceError("PRES_ERR_TOPIC_RIGHT", {
      right: "CanManage",
      topicId: session.topicId,
    });
  }
}

/**
 * Routing events of a topic (who was offered what, who took it) are for its administrators
 * and the members who listen, respond or manage there; CanNotify alone does not show them.
 */
export function mayFollowRouting(actor: Pick<Actor, "role">, rights: TopicRights | null): boolean {
  return (
    isAdmin(actor) || Boolean(rights && (rights.canListen || rights.canRespond || rights.canManage))
  );
}
