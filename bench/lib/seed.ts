/**
 * The bench directory: users 1..N (user 1 is the admin the bench signs in as), T topics with
 * every user a member of one to three of them, and some ongoing chats. Passwords are null, so
 * the import skips scrypt and the bench signs in with tickets.
 */
import type { Seed } from "../../src/domain/seed.ts";

export const BENCH_ADMIN_ID = 1;

export function benchSeed(users = 1000, topics = 20): Seed {
  const seed: Seed = { users: [], topics: [], members: [], sessions: [], appTokens: [] };
  for (let t = 1; t <= topics; t++) seed.topics.push({ id: t, name: `Topic ${t}` });
  for (let id = 1; id <= users; id++) {
    seed.users.push({
      id,
      username: id === BENCH_ADMIN_ID ? "admin" : `agent${id}`,
      displayName: id === BENCH_ADMIN_ID ? "Bench Admin" : `Agent ${id}, Bench Team`,
      role: id === BENCH_ADMIN_ID ? "admin" : "agent",
      present: false,
      password: null,
      passwordHash: null,
    });
    for (let k = 0; k <= id % 3; k++) {
      seed.members.push({
        topicId: ((id + k * 7) % topics) + 1,
        userId: id,
        canListen: true,
        canRespond: k === 0,
        canManage: false,
        canNotify: false,
      });
    }
    if (id % 4 === 0) {
      seed.sessions.push({ id, topicId: (id % topics) + 1, userId: id, status: "UserLast" });
    }
  }
  return seed;
}
