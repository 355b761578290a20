/** Test helpers: a real server on a random loopback port over a fresh SQLite file. */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { type RunningServer, type ServeOptions, startServer } from "../../src/cli/server.ts";
import type { Seed } from "../../src/domain/seed.ts";
import { membership } from "./records.ts";

export interface TestServer extends RunningServer {
  dir: string;
  /** fetch relative to the server URL. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export const PASSWORD = "s3cret-pw";

/** A directory: admin tje0 (password Tje0, as in the seed samples), agents 589 and 883, and more. */
export function testSeed(): Seed {
  const user = (
    id: number,
    username: string,
    role: "admin" | "agent",
    password: string | null = PASSWORD,
  ) => ({
    id,
    username,
    displayName: `User ${username}`,
    role,
    present: false,
    password,
    passwordHash: null,
  });
  return {
    users: [
      user(1, "tje0", "admin", "Tje0"),
      user(589, "ocon", "agent"),
      user(883, "kuhn", "agent"),
      user(900, "tick", "agent", null),
    ],
    topics: [
      { id: 128, name: "Sales" },
      { id: 574, name: "Support" },
    ],
    members: [
      membership(128, 883, { canListen: true }),
      membership(574, 883, { canRespond: true }),
      membership(574, 589),
    ],
    sessions: [
      { id: 1, topicId: 574, userId: 883, status: "UserLast" },
      { id: 2, topicId: 574, userId: 883, status: "CustomerLast" },
      { id: 3, topicId: 574, userId: 883, status: "Closed" },
      { id: 4, topicId: 128, userId: null, status: "InQueue" },
    ],
    appTokens: ["app-123"],
  };
}

export async function startTestServer(
  options: Partial<Omit<ServeOptions, "seed">> & { seed?: Seed | null } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "chat-presence-"));
  const { seed = testSeed(), ...serve } = options;
  const server = await startServer({
    port: 0,
    host: "127.0.0.1",
    db: join(dir, "test.db"),
    ...serve,
    seed: undefined,
  });
  if (seed) await server.services.directory.importSeed(seed);
  return {
    ...server,
    dir,
    fetch: (path, init) => fetch(server.url + path, init),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

type Credential = [kind: "ticket" | "bearer", userId: number];

/**
 * A test server for the tests of one describe block, started before them and closed after,
 * with the credentials asked for issued on it: `suite.server`, `suite.admin`, ….
 */
export function testServerSuite<Name extends string>(
  credentials = {} as Record<Name, Credential>,
  options: Parameters<typeof startTestServer>[0] = {},
) {
  const suite = {} as { server: TestServer } & Record<Name, string>;
  before(async () => {
    suite.server = await startTestServer(options);
    for (const [name, [kind, userId]] of Object.entries(credentials) as [Name, Credential][]) {
      (suite as Record<Name, string>)[name] = await suite.server.services.auth.issue(kind, userId);
    }
  });
  after(() => suite.server.close());
  return suite;
}
