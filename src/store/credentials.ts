/** The store's part for credentials: tickets, bearer tokens, browser sessions and app tokens. */

export type CredentialKind = "ticket" | "bearer" | "session";

/** A ticket, bearer token or browser session, stored by the SHA-256 of its secret. */
export interface StoredCredential {
  hash: string;
  kind: CredentialKind;
  userId: number;
  expiresAt: number;
  /** Browser sessions only: SHA-256 of the XSRF token paired with the session. */
  xsrfHash: string | null;
}

export interface CredentialStore {
  saveCredential(credential: StoredCredential): Promise<void>;
  findCredential(hash: string, now: number): Promise<StoredCredential | null>;
  deleteCredential(hash: string): Promise<void>;
  /** Revokes every ticket, token and browser session of a user (after a password reset). */
  deleteCredentialsOf(userId: number): Promise<void>;
  hasAppToken(hash: string): Promise<boolean>;
}
