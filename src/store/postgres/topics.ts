/** PostgreSQL: chat topics and their members (TopicStore). */
import type pg from "pg";
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
import { transaction } from "./connection.ts";

function topicValues(topic: TopicInput): unknown[] {
  return [
    topic.name,
    topic.description,
    topic.welcomeMessage,
    topic.openingHoursEnabled,
    JSON.stringify(topic.openingHours),
    JSON.stringify(topic.settings),
  ];
}

export class PostgresTopics implements TopicStore {
  constructor(private readonly pool: pg.Pool) {}

  async listTopics(): Promise<ChatTopicRecord[]> {
    return (await this.pool.query<TopicRow>("SELECT * FROM topics ORDER BY id")).rows.map(toTopic);
  }

  async getTopic(id: number): Promise<ChatTopicRecord | null> {
    const { rows } = await this.pool.query<TopicRow>("SELECT * FROM topics WHERE id = $1", [id]);
    return rows[0] ? toTopic(rows[0]) : null;
  }

  async topicsForUser(userId: number): Promise<ChatTopicRecord[]> {
    const { rows } = await this.pool.query<TopicRow>(
      `SELECT t.* FROM topics t JOIN topic_members m ON m.topic_id = t.id
       WHERE m.user_id = $1 AND ${ANY_RIGHT} ORDER BY t.id`,
      [userId],
    );
    return rows.map(toTopic);
  }

  async createTopic(topic: TopicInput): Promise<ChatTopicRecord> {
    return transaction(this.pool, async (client) => {
      // Ids come from import files too, so there is no sequence: the next id is taken under a lock.
      await client.query("LOCK TABLE topics IN SHARE ROW EXCLUSIVE MODE");
      const { rows } = await client.query<TopicRow>(
        `INSERT INTO topics (id, name, description, welcome_message, opening_hours_enabled,
           opening_hours, settings)
         VALUES ((SELECT COALESCE(max(id), 0) + 1 FROM topics), $1, $2, $3, $4, $5, $6)
         RETURNING *`,
        topicValues(topic),
      );
      return toTopic(rows[0]);
    });
  }

  async updateTopic(id: number, topic: TopicInput): Promise<ChatTopicRecord | null> {
    const { rows } = await this.pool.query<TopicRow>(
      `UPDATE topics SET name = $1, description = $2, welcome_message = $3,
         opening_hours_enabled = $4, opening_hours = $5, settings = $6
       WHERE id = $7 RETURNING *`,
      [...topicValues(topic), id],
    );
    return rows[0] ? toTopic(rows[0]) : null;
  }

  async setMaxChatsPerAgent(id: number, limit: number): Promise<ChatTopicRecord | null> {
    const { rows } = await this.pool.query<TopicRow>(
      "UPDATE topics SET max_chats_per_agent = $2 WHERE id = $1 RETURNING *",
      [id, limit],
    );
    return rows[0] ? toTopic(rows[0]) : null;
  }

  async deleteTopic(id: number): Promise<number[] | null> {
    return transaction(this.pool, async (client) => {
      // Locking the topic first holds off new members and sessions until the delete commits.
      const topic = await client.query("SELECT 1 FROM topics WHERE id = $1 FOR UPDATE", [id]);
      if (topic.rowCount === 0) return null;
      const { rows } = await client.query<{ user_id: number }>(
        `SELECT user_id FROM topic_members WHERE topic_id = $1
         UNION SELECT user_id FROM sessions WHERE topic_id = $1 AND user_id IS NOT NULL`,
        [id],
      );
      await client.query("DELETE FROM topics WHERE id = $1", [id]);
      return rows.map((r) => r.user_id);
    });
  }

  async listMembers(topicId: number): Promise<TopicMemberRecord[]> {
    const { rows } = await this.pool.query<MemberRow>(
      `${MEMBER_SELECT} WHERE m.topic_id = $1 ORDER BY m.user_id`,
      [topicId],
    );
    return rows.map(toMember);
  }

  async getMember(topicId: number, userId: number): Promise<TopicMemberRecord | null> {
    const { rows } = await this.pool.query<MemberRow>(
      `${MEMBER_SELECT} WHERE m.topic_id = $1 AND m.user_id = $2`,
      [topicId, userId],
    );
    return rows[0] ? toMember(rows[0]) : null;
  }

  async rightsOf(userId: number): Promise<Map<number, TopicRights>> {
    const { rows } = await this.pool.query<RightsRow>(
      "SELECT * FROM topic_members WHERE user_id = $1",
      [userId],
    );
    return new Map(rows.map((row) => [row.topic_id, toRights(row)]));
  }

  async upsertMembers(topicId: number, members: readonly MemberRights[]): Promise<void> {
    await transaction(this.pool, async (client) => {
      // Key share locks: the topic and the users cannot be deleted until this commits.
      const topic = await client.query("SELECT 1 FROM topics WHERE id = $1 FOR KEY SHARE", [
        topicId,
      ]);
      if (topic.rowCount === 0) throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId });
      const ids = members.map((m) => m.userId);
      const { rows } = await client.query<{ id: number }>(
        "SELECT id FROM users WHERE id = ANY($1::int[]) ORDER BY id FOR KEY SHARE",
        [ids],
      );
      const found = new Set(rows.map((r) => r.id));
      const missing = ids.find((id) => !found.has(id));
      if (missing !== undefined) throw new PresenceError("PRES_ERR_NO_USER", { user: missing });
      await client.query(
        `INSERT INTO topic_members (topic_id, user_id, can_listen, can_respond, can_manage, can_notify)
         SELECT $1, * FROM jsonb_to_recordset($2::jsonb) AS r("userId" int, "canListen" boolean,
           "canRespond" boolean, "canManage" boolean, "canNotify" boolean)
         ON CONFLICT (topic_id, user_id) DO UPDATE SET can_listen = excluded.can_listen,
           can_respond = excluded.can_respond, can_manage = excluded.can_manage,
           can_notify = excluded.can_notify`,
        [topicId, JSON.stringify(members)],
      );
    });
  }

  async updateMember(topicId: number, member: MemberRights): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE topic_members SET can_listen = $3, can_respond = $4, can_manage = $5, can_notify = $6
       WHERE topic_id = $1 AND user_id = $2`,
      [
        topicId,
        member.userId,
        member.canListen,
        member.canRespond,
        member.canManage,
        member.canNotify,
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async deleteMember(topicId: number, userId: number): Promise<boolean> {
    const result = await this.pool.query(
      "DELETE FROM topic_members WHERE topic_id = $1 AND user_id = $2",
      [topicId, userId],
    );
    return (result.rowCount ?? 0) > 0;
  }
}
