/** The store's part for the directory: chat users, and the import of a whole directory. */
import type { ChatSession, ChatTopic, ChatUser, Role, TopicMember } from "../domain/model.ts";

export interface NewUser {
  id?: number;
  username: string;
  displayName: string;
  role: Role;
  present?: boolean;
  passwordHash: string | null;
  /** Heartbeat TTL of this user in seconds; absent keeps the stored one (none for a new user). */
  presenceTtl?: number | null;
  /** The most ongoing chats in all (0: no limit); absent keeps the stored one (0 for a new user). */
  maxChats?: number;
}

export type UserPatch = Partial<
  Pick<ChatUser, "displayName" | "role" | "passwordHash" | "username" | "presenceTtl" | "maxChats">
>;

/** A whole directory to upsert in one transaction (the import file, already validated). */
export interface DirectoryImport {
  users: (NewUser & { id: number })[];
  topics: ChatTopic[];
  members: TopicMember[];
  sessions: ChatSession[];
  appTokenHashes: string[];
}

export interface ImportCounts {
  users: number;
  topics: number;
  members: number;
  sessions: number;
  appTokens: number;
}

export interface DirectoryStore {
  getUser(id: number): Promise<ChatUser | null>;
  getUserByUsername(username: string): Promise<ChatUser | null>;
  listUsers(): Promise<ChatUser[]>;
  /** Throws PRES_ERR_USERNAME_TAKEN when the username is in use (case-insensitive). */
  createUser(user: NewUser): Promise<ChatUser>;
  /** Throws PRES_ERR_USERNAME_TAKEN when renaming onto a username in use. */
  updateUser(id: number, patch: UserPatch): Promise<ChatUser | null>;
  /** Deletes a user, their credentials and memberships; their ongoing chats go back to the queue. */
  deleteUser(id: number): Promise<boolean>;

  importDirectory(directory: DirectoryImport): Promise<ImportCounts>;
}
