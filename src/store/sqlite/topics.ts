/** SQLite: chat topics and their members (TopicStore). */
import type Database from "better-sqlite3";
import { PresenceError } from "../../domain/errors.ts";
import type { TopicRights } from "../../domain/model.ts";
import type {
  ChatTopicRecord,
  MemberRights,
  TopicInput,
  TopicMemberRecord,
} from "../../domain/topic.ts";
import {
  ANY_RIGHT,
  MEMBER_SELECT,
  type MemberRow,
  type RightsRow,
  type TopicRow,
  toMember,
  toRights,
  toTopic,
} from "../rows/topics.ts";
import type { TopicStore } from "../topics.ts";

function topicParams(topic: TopicInput) {
  return {
    name: topic.name,
    description: topic.description,
    welcomeMessage: topic.welcomeMessage,
    openingHoursEnabled: topic.openingHoursEnabled ? 1 : 0,
    openingHours: JSON.stringify(topic.openingHours),
    settings: JSON.stringify(topic.settings),
  };
}

function memberParams(topicId: number, m: MemberRights) {
  return {
    topicId,
    userId: m.userId,
    canListen: m.canListen ? 1 : 0,
    canRespond: m.canRespond ? 1 : 0,
    canManage: m.canManage ? 1 : 0,
    canNotify: m.canNotify ? 1 : 0,
  };
}

export class SqliteTopics implements TopicStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      all: db.prepare("SELECT * FROM topics ORDER BY id"),
      byId: db.prepare("SELECT * FROM topics WHERE id = ?"),
      forUser: db.prepare(
        `SELECT t.* FROM topics t JOIN topic_members m ON m.topic_id = t.id
         WHERE m.user_id = ? AND ${ANY_RIGHT} ORDER BY t.id`,
      ),
      insert: db.prepare(
        `INSERT INTO topics (name, description, welcome_message, opening_hours_enabled, opening_hours, settings)
         VALUES (@name, @description, @welcomeMessage, @openingHoursEnabled, @openingHours, @settings)
         RETURNING *`,
      ),
      update: db.prepare(
        `UPDATE topics SET name = @name, description = @description,
           welcome_message = @welcomeMessage, opening_hours_enabled = @openingHoursEnabled,
           opening_hours = @openingHours, settings = @settings
         WHERE id = @id RETURNING *`,
      ),
      setMaxChatsPerAgent: db.prepare(
        "UPDATE topics SET max_chats_per_agent = ? WHERE id = ? RETURNING *",
      ),
      affected: db
        .prepare(
          `SELECT user_id FROM topic_members WHERE topic_id = @id
           UNION SELECT user_id FROM sessions WHERE topic_id = @id AND user_id IS NOT NULL`,
        )
        .pluck(),
      delete: db.prepare("DELETE FROM topics WHERE id = ?"),
      members: db.prepare(`${MEMBER_SELECT} WHERE m.topic_id = ? ORDER BY m.user_id`),
      member: db.prepare(`${MEMBER_SELECT} WHERE m.topic_id = ? AND m.user_id = ?`),
      rightsOf: db.prepare("SELECT * FROM topic_members WHERE user_id = ?"),
      topicExists: db.prepare("SELECT 1 FROM topics WHERE id = ?").pluck(),
      userExists: db.prepare("SELECT 1 FROM users WHERE id = ?").pluck(),
      upsertMember: db.prepare(
        `INSERT INTO topic_members (topic_id, user_id, can_listen, can_respond, can_manage, can_notify)
         VALUES (@topicId, @userId, @canListen, @canRespond, @canManage, @canNotify)
         ON CONFLICT(topic_id, user_id) DO UPDATE SET can_listen = excluded.can_listen,
           can_respond = excluded.can_respond, can_manage = excluded.can_manage,
           can_notify = excluded.can_notify`,
      ),
      updateMember: db.prepare(
        `UPDATE topic_members SET can_listen = @canListen, can_respond = @canRespond,
           can_manage = @canManage, can_notify = @canNotify
         WHERE topic_id = @topicId AND user_id = @userId`,
      ),
      deleteMember: db.prepare("DELETE FROM topic_members WHERE topic_id = ? AND user_id = ?"),
    };
  }

  async listTopics(): Promise<ChatTopicRecord[]> {
    return (this.statements.all.all() as TopicRow[]).map(toTopic);
  }

  async getTopic(id: number): Promise<ChatTopicRecord | null> {
    const row = this.statements.byId.get(id) as TopicRow | undefined;
    return row ? toTopic(row) : null;
  }

  async topicsForUser(userId: number): Promise<ChatTopicRecord[]> {
    return (this.statements.forUser.all(userId) as TopicRow[]).map(toTopic);
  }

  async createTopic(topic: TopicInput): Promise<ChatTopicRecord> {
    return toTopic(this.statements.insert.get(topicParams(topic)) as TopicRow);
  }

  async updateTopic(id: number, topic: TopicInput): Promise<ChatTopicRecord | null> {
    const row = this.statements.update.get({ ...topicParams(topic), id }) as TopicRow | undefined;
    return row ? toTopic(row) : null;
  }

  async setMaxChatsPerAgent(id: number, limit: number): Promise<ChatTopicRecord | null> {
    const row = this.statements.setMaxChatsPerAgent.get(limit, id) as TopicRow | undefined;
    return row ? toTopic(row) : null;
  }

  async deleteTopic(id: number): Promise<number[] | null> {
    const { affected, delete: remove } = this.statements;
    return this.db
      .transaction(() => {
        const users = affected.all({ id }) as number[];
        return remove.run(id).changes > 0 ? users : null;
      })
      .immediate();
  }

  async listMembers(topicId: number): Promise<TopicMemberRecord[]> {
    return (this.statements.members.all(topicId) as MemberRow[]).map(toMember);
  }

  async getMember(topicId: number, userId: number): Promise<TopicMemberRecord | null> {
    const row = this.statements.member.get(topicId, userId) as MemberRow | undefined;
    return row ? toMember(row) : null;
  }

  async rightsOf(userId: number): Promise<Map<number, TopicRights>> {
    const rows = this.statements.rightsOf.all(userId) as RightsRow[];
    return new Map(rows.map((row) => [row.topic_id, toRights(row)]));
  }

  async upsertMembers(topicId: number, members: readonly MemberRights[]): Promise<void> {
    const { topicExists, userExists, upsertMember } = this.statements;
    this.db
      .transaction(() => {
        if (!topicExists.get(topicId)) throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId });
        for (const member of members) {
          if (!userExists.get(member.userId)) {
            throw new PresenceError("PRES_ERR_NO_USER", { user: member.userId });
          }
          upsertMember.run(memberParams(topicId, member));
        }
      })
      .immediate();
  }

  async updateMember(topicId: number, member: MemberRights): Promise<boolean> {
    return this.statements.updateMember.run(memberParams(topicId, member)).changes > 0;
  }

  async deleteMember(topicId: number, userId: number): Promise<boolean> {
    return this.statements.deleteMember.run(topicId, userId).changes > 0;
  }
}
