/** The import file (`--seed`, `chat-presence import`): a whole directory upserted at once. */
import { type Seed, SeedError } from "../domain/seed.ts";
import type { ImportCounts } from "../store/directory.ts";
import type { Store } from "../store/store.ts";
import type { PresenceService } from "./presence.ts";
import { hashPassword, sha256 } from "./secrets.ts";
import { adminOrigin } from "./topics.ts";
import { OPERATOR } from "./users.ts";

export class DirectoryService {
  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
  ) {}

  /** True while there are no users (`serve --demo` loads its directory only then). */
  isEmpty(): Promise<boolean> {
    return this.store.isEmpty();
  }

  /** Upserts a whole import file in one transaction; passwords are hashed in parallel first. */
  async importSeed(seed: Seed): Promise<ImportCounts> {
    // The snapshot before the import is what the import's changes are detected against.
    await this.presence.getAll();
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
      await this.presence.usersChanged(touched, adminOrigin(OPERATOR));
    }
  }
}
