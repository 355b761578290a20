/** Operator commands: import, user add|passwd|rm|list, token create. */
import type { Command } from "commander";
import { OPERATOR } from "../service/users.ts";
import { DEFAULT_DB, duration, integer, readStdin, withServices } from "./options.ts";
import { readSeedFile } from "./server.ts";

async function passwordFrom(options: {
  password?: string;
  passwordStdin?: boolean;
}): Promise<string | undefined> {
  if (options.passwordStdin) return readStdin();
  return options.password;
}

function fail(message: string): never {
  throw new Error(message);
}

export function registerOperatorCommands(program: Command): void {
  program
    .command("import <file>")
    .description("upsert users, topics, sessions and app tokens from a JSON file")
    .option("--db <location>", "store location", DEFAULT_DB)
    .action(async (file: string, options: { db: string }) => {
      const seed = await readSeedFile(file);
      const counts = await withServices(options.db, (s) => s.directory.importSeed(seed));
      console.log(
        `Imported ${counts.users} users, ${counts.topics} topics, ${counts.members} memberships, ${counts.sessions} sessions, ${counts.appTokens} app tokens.`,
      );
    });

  const user = program.command("user").description("manage chat users");
  user
    .command("add <username>")
    .option("--id <id>", "user id (default: next free)", integer)
    .option("--display-name <name>", "display name (default: the username)")
    .option("--admin", "give the admin role (default: agent)")
    .option(
      "--password <password>",
      "password (visible to other local users; prefer --password-stdin)",
    )
    .option("--password-stdin", "read the password from standard input")
    .option("--db <location>", "store location", DEFAULT_DB)
    .action(async (username: string, options) => {
      const password = await passwordFrom(options);
      const created = await withServices(options.db, (s) =>
        s.users.create(OPERATOR, {
          id: options.id,
          username,
          displayName: options.displayName,
          role: options.admin ? "admin" : "agent",
          password,
        }),
      );
      console.log(`Added ${created.role} ${created.username} with UserId ${created.id}.`);
    });
  user
    .command("passwd <username>")
    .option("--password <password>", "new password (prefer --password-stdin)")
    .option("--password-stdin", "read the new password from standard input")
    .option("--db <location>", "store location", DEFAULT_DB)
    .action(async (username: string, options) => {
      const password =
        (await passwordFrom(options)) ||
        fail("give a password with --password or --password-stdin");
      await withServices(options.db, async (s) => {
        const user = await s.users.byUsername(OPERATOR, username);
        await s.users.resetPassword(OPERATOR, user.id, password);
      });
      console.log(`Password changed for ${username}; their tickets, tokens and sessions ended.`);
    });
  user
    .command("rm <username>")
    .option("--db <location>", "store location", DEFAULT_DB)
    .action(async (username: string, options: { db: string }) => {
      await withServices(options.db, async (s) =>
        s.users.delete(OPERATOR, (await s.users.byUsername(OPERATOR, username)).id),
      );
      console.log(`Removed ${username}.`);
    });
  user
    .command("list")
    .option("--db <location>", "store location", DEFAULT_DB)
    .action(async (options: { db: string }) => {
      const users = await withServices(options.db, (s) => s.users.list(OPERATOR));
      for (const u of users)
        console.log(
          `${u.id}\t${u.username}\t${u.role}\t${u.present ? "present" : "away"}\t${u.displayName}`,
        );
    });

  const token = program.command("token").description("issue and revoke credentials");
  token
    .command("revoke")
    .description("end every ticket, bearer token and browser session of a user")
    .requiredOption("--user <username>", "whose credentials to revoke")
    .option("--db <location>", "store location", DEFAULT_DB)
    .action(async (options: { user: string; db: string }) => {
      await withServices(options.db, async (s) => {
        const found = await s.users.byUsername(OPERATOR, options.user);
        await s.auth.revokeAllOf(found.id);
      });
      // On PostgreSQL running servers hear of it as it commits; over SQLite a running server
      // trusts a credential it resolved for up to credentialCacheMs (2 s).
      console.log(`Revoked every ticket, token and session of ${options.user}.`);
    });
  token
    .command("create")
    .requiredOption("--user <username>", "the user the ticket or token signs in as")
    .option("--ttl <duration>", "lifetime such as 30s, 15m, 8h", duration, duration("8h"))
    .option("--bearer", "issue a Bearer token instead of a SoTicket")
    .option("--db <location>", "store location", DEFAULT_DB)
    .action(async (options: { user: string; ttl: number; bearer?: boolean; db: string }) => {
      const secret = await withServices(options.db, async (s) => {
        const found = await s.users.byUsername(OPERATOR, options.user);
        return s.auth.issue(options.bearer ? "bearer" : "ticket", found.id, options.ttl);
      });
      process.stdout.write(`${secret}\n`);
    });
}
