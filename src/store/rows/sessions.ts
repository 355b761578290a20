/** The sessions row (joined with its two users) of both backends, and the columns a change sets. */
import { ONGOING_STATUSES, type SessionStatus } from "../../domain/model.ts";
import type { ChatSessionRecord, SessionChanges } from "../../domain/session.ts";
import type { UserRef } from "../../domain/topic.ts";
import { type Flag, flag } from "./dialect.ts";

/** The ongoing statuses as an SQL list, for `status IN (…)` in either dialect. */
export const ONGOING_SQL = ONGOING_STATUSES.map((s) => `'${s}'`).join(", ");

/**
 * An SQL condition of either dialect: the user `user` has room for one more ongoing chat in
 * the topic `topic` (both SQL expressions): their ongoing chats in all stay under their
 * max_chats, and those in the topic under its max_chats_per_agent, each where set (0: no limit,
 * domain/capacity.ts). A user or topic that does not exist passes, so the write then fails on
 * its foreign key as it would without limits.
 */
export function withinCapacity(user: string, topic: string): string {
  const ongoing = `SELECT COUNT(*) FROM sessions co WHERE co.user_id = ${user}
      AND co.status IN (${ONGOING_SQL})`;
  // CASE, not OR: without a limit the count is not made at all.
  return `COALESCE((SELECT CASE WHEN cu.max_chats = 0 THEN TRUE
        ELSE cu.max_chats > (${ongoing}) END
      FROM users cu WHERE cu.id = ${user}), TRUE)
    AND COALESCE((SELECT CASE WHEN ct.max_chats_per_agent = 0 THEN TRUE
        ELSE ct.max_chats_per_agent > (${ongoing} AND co.topic_id = ct.id) END
      FROM topics ct WHERE ct.id = ${topic}), TRUE)`;
}

export interface SessionRow {
  id: number;
  topic_id: number;
  user_id: number | null;
  status: SessionStatus;
  transfer_to: number | null;
  customer_alias: string;
  customer_name: string;
  customer_email: string;
  customer_phone: string;
  customer_company_name: string;
  customer_host: string;
  customer_consented: Flag;
  first_message: string;
  last_message: string;
  rating: number;
  chatbot_active: Flag;
  initial_queue_pos: number;
  when_requested: number | null;
  when_started: number | null;
  when_ended: number | null;
  when_idle: number | null;
  u_username: string | null;
  u_display: string | null;
  x_username: string | null;
  x_display: string | null;
}

/** The joined columns over a set of session rows named `s`, with JOINS. */
export const JOINED = `s.*, u.username AS u_username, u.display_name AS u_display,
    x.username AS x_username, x.display_name AS x_display`;
export const JOINS = `LEFT JOIN users u ON u.id = s.user_id LEFT JOIN users x ON x.id = s.transfer_to`;

function userRef(
  id: number | null,
  username: string | null,
  display: string | null,
): UserRef | null {
  return id === null ? null : { id, username: username ?? "", displayName: display ?? "" };
}

export function toSession(row: SessionRow): ChatSessionRecord {
  return {
    id: row.id,
    topicId: row.topic_id,
    status: row.status,
    user: userRef(row.user_id, row.u_username, row.u_display),
    transferTo: userRef(row.transfer_to, row.x_username, row.x_display),
    customer: {
      alias: row.customer_alias,
      name: row.customer_name,
      email: row.customer_email,
      phone: row.customer_phone,
      companyName: row.customer_company_name,
      host: row.customer_host,
      consented: flag(row.customer_consented),
    },
    firstMessage: row.first_message,
    lastMessage: row.last_message,
    rating: row.rating,
    chatbotIsActive: flag(row.chatbot_active),
    whenRequested: row.when_requested,
    whenStarted: row.when_started,
    whenEnded: row.when_ended,
    whenIdle: row.when_idle,
    initialQueuePos: row.initial_queue_pos,
  };
}

export interface ChangedColumn {
  column: string;
  value: string | number | boolean | null;
  /** The column's PostgreSQL type, for a typed parameter. */
  type: "text" | "int" | "bigint" | "boolean";
}

/** The columns a change sets, in a fixed order (so equal shapes give equal statements). */
export function changedColumns(changes: SessionChanges): ChangedColumn[] {
  const c = changes.customer;
  const all: [string, ChangedColumn["value"] | undefined, ChangedColumn["type"]][] = [
    ["status", changes.status, "text"],
    ["user_id", changes.userId, "int"],
    ["transfer_to", changes.transferToId, "int"],
    ["customer_alias", c?.alias, "text"],
    ["customer_name", c?.name, "text"],
    ["customer_email", c?.email, "text"],
    ["customer_phone", c?.phone, "text"],
    ["customer_company_name", c?.companyName, "text"],
    ["customer_host", c?.host, "text"],
    ["customer_consented", c?.consented, "boolean"],
    ["first_message", changes.firstMessage, "text"],
    ["last_message", changes.lastMessage, "text"],
    ["rating", changes.rating, "int"],
    ["chatbot_active", changes.chatbotIsActive, "boolean"],
    ["when_started", changes.whenStarted, "bigint"],
    ["when_ended", changes.whenEnded, "bigint"],
  ];
  return all.flatMap(([column, value, type]) =>
    value === undefined ? [] : [{ column, value, type }],
  );
}
