/** The chat directory: users, topics with member rights, and chat sessions. Pure data, no I/O. */
import type { OpeningHours } from "./opening-hours.ts";

export type Role = "admin" | "agent";

export interface ChatUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  present: boolean;
  /** scrypt hash in `scrypt$N$r$p$salt$hash` form; null for a user who signs in with tickets only. */
  passwordHash: string | null;
  /** Seconds a Present=true lasts without a heartbeat; null: the server's --presence-ttl. */
  presenceTtl: number | null;
  /** The most ongoing chats this user may have in all (domain/capacity.ts); 0: no limit. */
  maxChats: number;
}

export interface TopicRights {
  canListen: boolean;
  canRespond: boolean;
  canManage: boolean;
  canNotify: boolean;
}

export interface TopicMember extends TopicRights {
  topicId: number;
  userId: number;
}

export interface ChatTopic {
  id: number;
  name: string;
  /** Optional in an import: when absent the stored value (or the default) stays. */
  description?: string;
  welcomeMessage?: string;
  openingHoursEnabled?: boolean;
  openingHours?: OpeningHours;
  /** The most ongoing chats one agent may have in this topic; 0: no limit. */
  maxChatsPerAgent?: number;
}

/** The ChatSessionStatus names of the SuperOffice contract, in contract order. */
export const SESSION_STATUSES = [
  "Invalid",
  "PreChatForm",
  "Faq",
  "OfflineForm",
  "InQueue",
  "CustomerLast",
  "UserLast",
  "Finished",
  "Deleted",
  "Closed",
  "RequestPosted",
  "ClosedFromQueue",
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** A session counts as an ongoing chat of its assigned user only in these states. */
export const ONGOING_STATUSES: readonly SessionStatus[] = ["CustomerLast", "UserLast"];

export function isSessionStatus(value: string): value is SessionStatus {
  return (SESSION_STATUSES as readonly string[]).includes(value);
}

export interface ChatSession {
  id: number;
  topicId: number;
  userId: number | null;
  status: SessionStatus;
}

export function hasAnyRight(rights: TopicRights): boolean {
  return rights.canListen || rights.canRespond || rights.canManage || rights.canNotify;
}
