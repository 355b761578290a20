/** PostgreSQL: tickets, bearer tokens, browser sessions and app tokens (CredentialStore). */
import type pg from "pg";
import type { CredentialStore, StoredCredential } from "../credentials.ts";

export class PostgresCredentials implements CredentialStore {
  constructor(private readonly pool: pg.Pool) {}

  async saveCredential(c: StoredCredential): Promise<void> {
    await this.pool.query(
      "INSERT INTO credentials (hash, kind, user_id, expires_at, xsrf_hash) VALUES ($1, $2, $3, $4, $5)",
      [c.hash, c.kind, c.userId, c.expiresAt, c.xsrfHash],
    );
  }

  async findCredential(hash: string, now: number): Promise<StoredCredential | null> {
    const { rows } = await this.pool.query<StoredCredential>(
      `SELECT hash, kind, user_id AS "userId", expires_at AS "expiresAt", xsrf_hash AS "xsrfHash"
       FROM credentials WHERE hash = $1 AND expires_at > $2`,
      [hash, now],
    );
    return rows[0] ?? null;
  }

  async deleteCredential(hash: string): Promise<void> {
    await this.pool.query("DELETE FROM credentials WHERE hash = $1", [hash]);
  }

  async deleteCredentialsOf(userId: number): Promise<void> {
    await this.pool.query("DELETE FROM credentials WHERE user_id = $1", [userId]);
  }

  async hasAppToken(hash: string): Promise<boolean> {
    return (
      ((await this.pool.query("SELECT 1 FROM app_tokens WHERE hash = $1", [hash])).rowCount ?? 0) >
      0
    );
  }
}
