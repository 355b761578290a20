/** The topics and topic_members rows of both backends. */
import type { TopicRights } from "../../domain/model.ts";
import { defaultOpeningHours } from "../../domain/opening-hours.ts";
import type { ChatTopicRecord, TopicMemberRecord } from "../../domain/topic.ts";
import { type Flag, flag, type Json, json } from "./dialect.ts";

export interface TopicRow {
  id: number;
  name: string;
  description: string;
  welcome_message: string;
  opening_hours_enabled: Flag;
  opening_hours: Json<ChatTopicRecord["openingHours"]> | null;
  settings: Json<Record<string, unknown>> | null;
  max_chats_per_agent: number;
}

export interface RightsRow {
  topic_id: number;
  user_id: number;
  can_listen: Flag;
  can_respond: Flag;
  can_manage: Flag;
  can_notify: Flag;
}

export interface MemberRow extends RightsRow {
  username: string;
  display_name: string;
}

/** Membership with any right at all, over topic_members named `m`. */
export const ANY_RIGHT = "(m.can_listen OR m.can_respond OR m.can_manage OR m.can_notify)";

export const MEMBER_SELECT = `
  SELECT m.*, u.username, u.display_name FROM topic_members m JOIN users u ON u.id = m.user_id`;

export function toTopic(row: TopicRow): ChatTopicRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    welcomeMessage: row.welcome_message,
    openingHoursEnabled: flag(row.opening_hours_enabled),
    openingHours: json(row.opening_hours) ?? defaultOpeningHours(),
    settings: json(row.settings) ?? {},
    maxChatsPerAgent: row.max_chats_per_agent,
  };
}

export function toRights(row: RightsRow): TopicRights {
  return {
    canListen: flag(row.can_listen),
    canRespond: flag(row.can_respond),
    canManage: flag(row.can_manage),
    canNotify: flag(row.can_notify),
  };
}

export function toMember(row: MemberRow): TopicMemberRecord {
  return {
    topicId: row.topic_id,
    user: { id: row.user_id, username: row.username, displayName: row.display_name },
    ...toRights(row),
  };
}
