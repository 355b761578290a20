/** SQLite: tickets, bearer tokens, browser sessions and app tokens (CredentialStore). */
import type Database from "better-sqlite3";
import type { CredentialStore, StoredCredential } from "../credentials.ts";

interface CredentialRow {
  hash: string;
  kind: StoredCredential["kind"];
  user_id: number;
  expires_at: number;
  xsrf_hash: string | null;
}

export class SqliteCredentials implements CredentialStore {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      insert: db.prepare(
        "INSERT INTO credentials (hash, kind, user_id, expires_at, xsrf_hash) VALUES (?, ?, ?, ?, ?)",
      ),
      find: db.prepare("SELECT * FROM credentials WHERE hash = ? AND expires_at > ?"),
      delete: db.prepare("DELETE FROM credentials WHERE hash = ?"),
      deleteOf: db.prepare("DELETE FROM credentials WHERE user_id = ?"),
      appToken: db.prepare("SELECT 1 FROM app_tokens WHERE hash = ?").pluck(),
    };
  }

  async saveCredential(c: StoredCredential): Promise<void> {
    this.statements.insert.run(c.hash, c.kind, c.userId, c.expiresAt, c.xsrfHash);
  }

  async findCredential(hash: string, now: number): Promise<StoredCredential | null> {
    const row = this.statements.find.get(hash, now) as CredentialRow | undefined;
    if (!row) return null;
    return {
      hash: row.hash,
      kind: row.kind,
      userId: row.user_id,
      expiresAt: row.expires_at,
      xsrfHash: row.xsrf_hash,
    };
  }

  async deleteCredential(hash: string): Promise<void> {
    this.statements.delete.run(hash);
  }

  async deleteCredentialsOf(userId: number): Promise<void> {
    this.statements.deleteOf.run(userId);
  }

  async hasAppToken(hash: string): Promise<boolean> {
    return this.statements.appToken.get(hash) === 1;
  }
}
