/** The users row of both backends. */
import type { ChatUser, Role } from "../../domain/model.ts";
import { type Flag, flag } from "./dialect.ts";

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  present: Flag;
  password_hash: string | null;
  presence_ttl: number | null;
  max_chats: number;
}

export function toUser(row: UserRow): ChatUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    present: flag(row.present),
    passwordHash: row.password_hash,
    presenceTtl: row.presence_ttl,
    maxChats: row.max_chats,
  };
}
