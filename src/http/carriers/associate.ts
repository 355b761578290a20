/**
 * Carriers shared by the chat routes: Associate (a user as SuperOffice shows one),
 * ChatTopicAgent (a member and their rights) and MDOListItem (the user picker list).
 */
import { PresenceError } from "../../domain/errors.ts";
import type { ChatUser } from "../../domain/model.ts";
import type { TopicMemberRecord, UserRef } from "../../domain/topic.ts";
import type { MemberInput } from "../../service/topics.ts";
import { bindOrThrow } from "../codecs/body.ts";
import { listItems, type ObjectSchema, type Schema } from "../codecs/schema.ts";

const int = (description: string): Schema => ({ type: "integer", format: "int32", description });
const text = (description: string): Schema => ({ type: "string", description });
const bool = (description: string): Schema => ({ type: "boolean", description });

export const ASSOCIATE_SCHEMA: ObjectSchema = {
  type: "object",
  title: "Associate",
  description: "A chat user as SuperOffice shows an associate: AssociateId is the chat UserId",
  properties: {
    AssociateId: int("The chat user's id (UserId in ChatPresence)"),
    Name: text("The username (SuperOffice: initials, also the login name)"),
    PersonId: int("Always 0: chat users have no person record here"),
    Rank: int("Rank order"),
    Tooltip: text("The display name"),
    Type: text("InternalAssociate (Unknown in a default ChatTopicAgent)"),
    GroupIdx: int("1 for administrators, 2 for agents"),
    FullName: text("The display name"),
    FormalName: text("The display name"),
    Deleted: bool("Always false: deleted users are gone"),
    EjUserId: int("Always 0"),
    UserName: text("The username"),
  },
};

export function associateOf(user: UserRef | ChatUser | null): Record<string, unknown> | null {
  if (!user) return null;
  const role = "role" in user ? user.role : undefined;
  return {
    AssociateId: user.id,
    Name: user.username,
    PersonId: 0,
    Rank: 0,
    Tooltip: user.displayName,
    Type: "InternalAssociate",
    GroupIdx: role === "admin" ? 1 : role === "agent" ? 2 : 0,
    FullName: user.displayName,
    FormalName: user.displayName,
    Deleted: false,
    EjUserId: 0,
    UserName: user.username,
  };
}

export const TOPIC_AGENT_SCHEMA: ObjectSchema = {
  type: "object",
  title: "ChatTopicAgent",
  description: "A user assigned to a chat topic and their rights in it",
  properties: {
    TopicId: int("The chat topic"),
    User: ASSOCIATE_SCHEMA,
    CanListen: bool("True if the user can listen in on this topic"),
    CanRespond: bool("True if the user can respond to chats in this topic"),
    CanManage: bool("True if the user is a manager for this topic"),
    CanNotify: bool("True if the user should receive notifications for this topic"),
  },
};

export const TOPIC_AGENT_LIST: Schema = { type: "array", items: TOPIC_AGENT_SCHEMA };

export function topicAgentOf(member: TopicMemberRecord): Record<string, unknown> {
  return {
    TopicId: member.topicId,
    User: associateOf(member.user),
    CanListen: member.canListen,
    CanRespond: member.canRespond,
    CanManage: member.canManage,
    CanNotify: member.canNotify,
  };
}

/** What CreateDefaultChatTopicAgent answers: no topic, an empty user, no rights (as the sample). */
export function defaultTopicAgent(): Record<string, unknown> {
  const empty = associateOf({ id: 0, username: "", displayName: "" });
  return {
    TopicId: 0,
    User: { ...empty, Type: "Unknown" },
    CanListen: false,
    CanRespond: false,
    CanManage: false,
    CanNotify: false,
  };
}

interface BoundAgent {
  TopicId: number;
  User: { AssociateId: number; Name: string | null; UserName: string | null } | null;
  CanListen: boolean;
  CanRespond: boolean;
  CanManage: boolean;
  CanNotify: boolean;
}

export interface AgentInput {
  /** The user as the carrier names it: AssociateId when set, else UserName, else Name. */
  user: string | number | null;
  canListen: boolean;
  canRespond: boolean;
  canManage: boolean;
  canNotify: boolean;
}

/** Reads a ChatTopicAgent (JSON, XML or form) at `path`. */
export function readTopicAgent(raw: unknown, path: string): AgentInput {
  const agent = bindOrThrow(raw, TOPIC_AGENT_SCHEMA, path) as BoundAgent | null;
  if (!agent)
    return { user: null, canListen: false, canRespond: false, canManage: false, canNotify: false };
  const u = agent.User;
  return {
    user: u?.AssociateId ? u.AssociateId : u?.UserName || u?.Name || null,
    canListen: agent.CanListen,
    canRespond: agent.CanRespond,
    canManage: agent.CanManage,
    canNotify: agent.CanNotify,
  };
}

const MDO_PROPERTIES: Record<string, Schema> = {
  Id: int("The user id (a group: 1 administrators, 2 agents)"),
  Name: text("The display name (a group: its name)"),
  ToolTip: text("The username"),
  Deleted: bool("Always false"),
  Rank: int("Position in the list"),
  Type: text('"associate" for a user, "usergroup" for a group'),
  ChildItems: {
    type: "array",
    items: { type: "object", properties: {} },
    description: "A group's users (MDOListItem); empty for a user",
  },
  IconHint: text('"present" or "absent" for a user'),
  ColorBlock: int("Always 0"),
  ExtraInfo: text("The username"),
  StyleHint: text("Empty"),
  FullName: text("The display name"),
};

export const MDO_LIST_ITEM_SCHEMA: ObjectSchema = {
  type: "object",
  title: "MDOListItem",
  description: "A user who can be assigned to chat topics, or a group of them",
  properties: MDO_PROPERTIES,
};

/** The child list carries the same shape; for XML and `$select` one level is described. */
(MDO_PROPERTIES.ChildItems as { items: Schema }).items = {
  type: "object",
  title: "MDOListItem",
  properties: {
    ...MDO_PROPERTIES,
    ChildItems: { type: "array", items: { type: "object", properties: {} } },
  },
};

export const MDO_LIST: Schema = { type: "array", items: MDO_LIST_ITEM_SCHEMA };

function userItem(user: ChatUser, rank: number): Record<string, unknown> {
  return {
    Id: user.id,
    Name: user.displayName,
    ToolTip: user.username,
    Deleted: false,
    Rank: rank,
    Type: "associate",
    ChildItems: [],
    IconHint: user.present ? "present" : "absent",
    ColorBlock: 0,
    ExtraInfo: user.username,
    StyleHint: "",
    FullName: user.displayName,
  };
}

/**
 * GetUserAgentList: flat, one item per user; otherwise grouped by user group, and since chat
 * users have no SuperOffice user groups here, the groups are the roles.
 */
export function userAgentList(
  users: readonly ChatUser[],
  flat: boolean,
): Record<string, unknown>[] {
  if (flat) return users.map((u, i) => userItem(u, i + 1));
  const groups: [number, string, ChatUser[]][] = [
    [1, "Administrators", users.filter((u) => u.role === "admin")],
    [2, "Agents", users.filter((u) => u.role === "agent")],
  ];
  return groups
    .filter(([, , members]) => members.length > 0)
    .map(([id, name, members], index) => ({
      ...userItem(
        {
          id,
          username: name,
          displayName: name,
          role: "agent",
          present: false,
          passwordHash: null,
          presenceTtl: null,
          maxChats: 0,
        },
        index + 1,
      ),
      Type: "usergroup",
      IconHint: "",
      ExtraInfo: "",
      ToolTip: name,
      ChildItems: members.map((u, i) => userItem(u, i + 1)),
    }));
}

/** A member from a body entry: the user must be named (AssociateId, UserName or Name). */
export function memberInput(agent: AgentInput, path: string): MemberInput {
  if (agent.user === null || agent.user === "") {
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: `${path}User: name the user by AssociateId or UserName`,
    });
  }
  const { user, ...rights } = agent;
  return { user, ...rights };
}

/** The entries of a ChatTopicAgent list body. */
export function memberInputs(raw: unknown, path: string): MemberInput[] {
  const items = raw === null || raw === undefined ? null : listItems(raw);
  if (!items) {
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: `${path || "body"}: expected an array of ChatTopicAgent`,
    });
  }
  return items.map((item, i) =>
    memberInput(readTopicAgent(item, `${path}[${i}]`), `${path}[${i}].`),
  );
}
