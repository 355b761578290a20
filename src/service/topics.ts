/**
 * Chat topic operations for every protocol: topics, their members, the user directory for
 * assigning members, and opening hours. Rights are checked here with the domain rules; every
 * change that alters presence (ChatTopics) is reported to the presence service at once.
 */
import { checkChatLimit } from "../domain/capacity.ts";
import { PresenceError } from "../domain/errors.ts";
import type { ChatUser, TopicRights } from "../domain/model.ts";
import { isOpenAt } from "../domain/opening-hours.ts";
import type { Actor, ChangeOrigin } from "../domain/presence.ts";
import { assertAdmin, assertMayManage, assertMayReadTopic } from "../domain/rights.ts";
import {
  type ChatTopicRecord,
  defaultTopic,
  type MemberRights,
  type TopicInput,
  type TopicMemberRecord,
} from "../domain/topic.ts";
import type { Store } from "../store/store.ts";
import { Listeners } from "./listeners.ts";
import type { PresenceService } from "./presence.ts";

/** A member given by the caller: a username or user id, with the rights to hold. */
export interface MemberInput extends TopicRights {
  user: string | number;
}

export function adminOrigin(actor: Actor): ChangeOrigin {
  // The operator at the command line is no chat user: their changes have no author.
  return { source: "admin", changedBy: actor.userId > 0 ? actor.userId : null };
}

/**
 * Finds a user by username (case-insensitive) or, failing that, by an all-digits id, the way
 * the contract's "associate username or associate id" parameters read.
 */
export async function findUser(store: Store, key: string | number): Promise<ChatUser | null> {
  if (typeof key === "number") return store.getUser(key);
  const byName = key.trim() ? await store.getUserByUsername(key.trim()) : null;
  if (byName || !/^\d+$/.test(key.trim())) return byName;
  return store.getUser(Number(key.trim()));
}

export class TopicService {
  /** Topics where more agents may have become able to take chats (rights or a limit changed). */
  readonly agentsMayFit = new Listeners<number>();

  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
  ) {}

  defaultTopic(): ChatTopicRecord {
    return defaultTopic();
  }

  /** The actor's rights in a topic, or null when not a member. */
  async rightsIn(actor: Actor, topicId: number): Promise<TopicRights | null> {
    return this.store.getMember(topicId, actor.userId);
  }

  async get(actor: Actor, id: number): Promise<ChatTopicRecord> {
    const topic = await this.requireTopic(id);
    assertMayReadTopic(actor, id, await this.rightsIn(actor, id));
    return this.measured(topic);
  }

  /** Topics where the caller holds any right (what presence lists as their ChatTopics). */
  async forUser(actor: Actor): Promise<ChatTopicRecord[]> {
    const topics = await this.store.topicsForUser(actor.userId);
    return Promise.all(topics.map((topic) => this.measured(topic)));
  }

  /** The topic with its accepts as measured (LastAccept, SecondsPrAccept). */
  private async measured(topic: ChatTopicRecord): Promise<ChatTopicRecord> {
    return { ...topic, accepts: await this.store.acceptStats(topic.id) };
  }

  /** Only administrators create topics: nobody manages a topic before it exists. */
  async create(
    actor: Actor,
    build: (defaults: ChatTopicRecord) => TopicInput,
  ): Promise<ChatTopicRecord> {
    assertAdmin(actor);
    return this.store.createTopic(build(defaultTopic()));
  }

  /** Saves over a topic; `build` makes the new values from the stored topic once allowed. */
  async update(
    actor: Actor,
    id: number,
    build: (stored: ChatTopicRecord) => TopicInput,
  ): Promise<ChatTopicRecord> {
    const stored = await this.requireTopic(id);
    assertMayManage(actor, id, await this.rightsIn(actor, id));
    const updated = await this.store.updateTopic(id, build(stored));
    if (!updated) throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId: id });
    return this.measured(updated);
  }

  /**
   * Sets the most ongoing chats one agent may have in the topic (0: no limit), for those who
   * manage it. Chats already ongoing stay; the limit refuses new ones (domain/capacity.ts).
   */
  async setMaxChatsPerAgent(actor: Actor, id: number, limit: number): Promise<ChatTopicRecord> {
    await this.assertManage(actor, id);
    const updated = await this.store.setMaxChatsPerAgent(
      id,
      checkChatLimit("MaxChatsPerAgent", limit),
    );
    if (!updated) throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId: id });
    await this.agentsMayFit.notify(id);
    return updated;
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.requireTopic(id);
    assertMayManage(actor, id, await this.rightsIn(actor, id));
    const affected = await this.store.deleteTopic(id);
    if (!affected) throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId: id });
    await this.presence.usersChanged(affected, adminOrigin(actor));
  }

  /**
   * Whether the topic is within its opening hours at `at` (any signed-in caller may ask; the
   * rule is domain/opening-hours.ts). A topic that does not exist is not open: false, as
   * NetServer answers, the same on REST, Agents and SOAP.
   */
  async isOpen(id: number, at = new Date()): Promise<boolean> {
    const topic = await this.store.getTopic(id);
    return topic ? isOpenAt(topic.openingHoursEnabled, topic.openingHours, at) : false;
  }

  async members(actor: Actor, topicId: number): Promise<TopicMemberRecord[]> {
    await this.requireTopic(topicId);
    assertMayReadTopic(actor, topicId, await this.rightsIn(actor, topicId));
    return this.store.listMembers(topicId);
  }

  async member(actor: Actor, topicId: number, userKey: string): Promise<TopicMemberRecord> {
    await this.requireTopic(topicId);
    assertMayReadTopic(actor, topicId, await this.rightsIn(actor, topicId));
    const user = await this.requireUser(userKey);
    return this.requireMember(topicId, user);
  }

  /** Adds a member, or sets the rights of one already there. */
  async addMember(actor: Actor, topicId: number, input: MemberInput): Promise<TopicMemberRecord> {
    await this.assertManage(actor, topicId);
    const [rights] = await this.resolveMembers([input]);
    await this.store.upsertMembers(topicId, [rights]);
    await this.presence.usersChanged([rights.userId], adminOrigin(actor));
    await this.agentsMayFit.notify(topicId);
    return this.requireMember(topicId, { id: rights.userId, username: String(input.user) });
  }

  /** Changes the rights of an existing member (404 when the user is not one). */
  async updateMember(
    actor: Actor,
    topicId: number,
    userKey: string,
    rights: TopicRights,
  ): Promise<TopicMemberRecord> {
    await this.assertManage(actor, topicId);
    const user = await this.requireUser(userKey);
    if (!(await this.store.updateMember(topicId, { ...rights, userId: user.id }))) {
      throw new PresenceError("PRES_ERR_NO_MEMBER", { user: user.username, topicId });
    }
    await this.presence.usersChanged([user.id], adminOrigin(actor));
    await this.agentsMayFit.notify(topicId);
    return this.requireMember(topicId, user);
  }

  /**
   * Sets the rights of each listed user in one transaction, adding those not yet members;
   * members not listed keep theirs. Returns the whole member list afterwards.
   */
  async updateMembers(
    actor: Actor,
    topicId: number,
    inputs: readonly MemberInput[],
  ): Promise<TopicMemberRecord[]> {
    await this.assertManage(actor, topicId);
    const members = await this.resolveMembers(inputs);
    await this.store.upsertMembers(topicId, members);
    await this.presence.usersChanged(
      members.map((m) => m.userId),
      adminOrigin(actor),
    );
    await this.agentsMayFit.notify(topicId);
    return this.store.listMembers(topicId);
  }

  async deleteMember(actor: Actor, topicId: number, userKey: string): Promise<void> {
    await this.assertManage(actor, topicId);
    const user = await this.requireUser(userKey);
    if (!(await this.store.deleteMember(topicId, user.id))) {
      throw new PresenceError("PRES_ERR_NO_MEMBER", { user: user.username, topicId });
    }
    await this.presence.usersChanged([user.id], adminOrigin(actor));
  }

  /** The users that can be given topic rights (every chat user), present ones only if asked. */
  async userAgents(onlyPresent: boolean): Promise<ChatUser[]> {
    const users = await this.store.listUsers();
    return onlyPresent ? users.filter((u) => u.present) : users;
  }

  private async assertManage(actor: Actor, topicId: number): Promise<void> {
    await this.requireTopic(topicId);
    assertMayManage(actor, topicId, await this.rightsIn(actor, topicId));
  }

  private async requireTopic(id: number): Promise<ChatTopicRecord> {
    const topic = await this.store.getTopic(id);
    if (!topic) throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId: id });
    return topic;
  }

  private async requireUser(key: string): Promise<ChatUser> {
    const user = await findUser(this.store, key);
    if (!user) throw new PresenceError("PRES_ERR_NO_USER", { user: key });
    return user;
  }

  private async requireMember(
    topicId: number,
    user: { id: number; username: string },
  ): Promise<TopicMemberRecord> {
    const member = await this.store.getMember(topicId, user.id);
    if (!member) throw new PresenceError("PRES_ERR_NO_MEMBER", { user: user.username, topicId });
    return member;
  }

  /** Users named in a body: an unknown one is a bad entry (400), named by its index. */
  private async resolveMembers(inputs: readonly MemberInput[]): Promise<MemberRights[]> {
    const resolved: MemberRights[] = [];
    for (const [index, input] of inputs.entries()) {
      const user = await findUser(this.store, input.user);
      if (!user) {
        throw new PresenceError("PRES_ERR_UNKNOWN_USER", { index, userId: String(input.user) });
      }
      const { user: _key, ...rights } = input;
      resolved.push({ ...rights, userId: user.id });
    }
    return resolved;
  }
}
