/** Operator-facing directory operations: import, and user add / passwd / rm. */
import type { ChatUser, Role } from "../domain/model.ts";
import { type Seed, SeedError } from "../domain/seed.ts";
import type { ImportCounts, Store } from "../store/store.ts";
import type { PresenceService } from "./presence.ts";
import { hashPassword, sha256 } from "./secrets.ts";

/** Changes made by an operator at the command line or through an import. */
const BY_OPERATOR = { source: "admin", changedBy: null } as const;

export interface AddUserInput {
  id?: number;
  username: string;
  displayName?: string;
  role: Role;
  password?: string;
}

export class DirectoryService {
  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
  ) {}

  /** Upserts a whole import file in one transaction; passwords are hashed in parallel first. */
  async importSeed(seed: Seed): Promise<ImportCounts> {
    const users = await Promise.all(
      seed.users.map(async ({ password, passwordHash, ...user }) => ({
        ...user,
        passwordHash: password === null ? passwordHash : await hashPassword(password),
      })),
    );
    try {
      return await this.store.importDirectory({
        users,
        topics: seed.topics,
        members: seed.members,
        sessions: seed.sessions,
        appTokenHashes: seed.appTokens.map(sha256),
      });
    } catch (error) {
      throw new SeedError(`the import was not applied: ${(error as Error).message}`);
    } finally {
      const touched = [...seed.users.map((u) => u.id), ...seed.members.map((m) => m.userId)];
      for (const session of seed.sessions)
        if (session.userId !== null) touched.push(session.userId);
      await this.presence.usersChanged(touched, BY_OPERATOR);
    }
  }

  async addUser(input: AddUserInput): Promise<ChatUser> {
    const user = await this.store.createUser({
      id: input.id,
      username: input.username,
      displayName: input.displayName ?? input.username,
      role: input.role,
      passwordHash: input.password ? await hashPassword(input.password) : null,
    });
    await this.presence.usersChanged([user.id], BY_OPERATOR);
    return user;
  }

  async setPassword(username: string, password: string): Promise<boolean> {
    const user = await this.store.getUserByUsername(username);
    if (!user) return false;
    await this.store.updateUser(user.id, { passwordHash: await hashPassword(password) });
    return true;
  }

  async removeUser(username: string): Promise<boolean> {
    const user = await this.store.getUserByUsername(username);
    const removed = user ? await this.store.deleteUser(user.id) : false;
    if (removed && user) await this.presence.usersChanged([user.id], BY_OPERATOR);
    return removed;
  }

  listUsers(): Promise<ChatUser[]> {
    return this.store.listUsers();
  }

  findUser(username: string): Promise<ChatUser | null> {
    return this.store.getUserByUsername(username);
  }
}
