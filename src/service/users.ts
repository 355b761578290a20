/**
 * Chat user administration (an extension: SuperOffice keeps users elsewhere). Administrators
 * only. Changes that show in presence (a new user, a new display name, a deleted user) are
 * reported to the presence service; a password reset signs the user out everywhere.
 */
import { checkChatLimit } from "../domain/capacity.ts";
import { PresenceError } from "../domain/errors.ts";
import type { ChatUser, Role } from "../domain/model.ts";
import type { Actor } from "../domain/presence.ts";
import { assertAdmin } from "../domain/rights.ts";
import type { UserPatch } from "../store/directory.ts";
import type { Store } from "../store/store.ts";
import type { AuthService } from "./auth.ts";
import { Listeners } from "./listeners.ts";
import type { PresenceService } from "./presence.ts";
import { hashPassword, randomSecret } from "./secrets.ts";
import { adminOrigin } from "./topics.ts";

export interface NewUserInput {
  id?: number;
  username: string;
  displayName?: string;
  role: Role;
  password?: string;
  /** The most ongoing chats in all; 0 or absent: no limit. */
  maxChats?: number;
}

export interface UserChange {
  username?: string;
  displayName?: string;
  role?: Role;
  /** Seconds; 0 or null returns the user to the server's --presence-ttl. */
  presenceTtl?: number | null;
  /** The most ongoing chats in all; 0: no limit. */
  maxChats?: number;
}

export const MIN_PASSWORD_LENGTH = 8;

/**
 * The operator at the command line (`chat-presence user …`): an administrator who is not a
 * chat user, so the CLI and the ChatUser API share one set of rules.
 */
export const OPERATOR: Actor = { userId: 0, username: "(operator)", role: "admin" };

/** 0 means "the server's default" (stored as null); a negative TTL makes no sense. */
function checkPresenceTtl(seconds: number | null | undefined): number | null | undefined {
  if (seconds === undefined || seconds === null) return seconds;
  if (seconds < 0) throw bad("PresenceTtl: expected 0 or more seconds");
  return seconds || null;
}

function bad(detail: string): PresenceError {
  return new PresenceError("PRES_ERR_BAD_BODY", { detail });
}

function checkUsername(username: string): string {
  const trimmed = username.trim();
  if (!trimmed || trimmed.length > 100 || /\s/.test(trimmed)) {
    throw bad("Username: 1 to 100 characters, no spaces");
  }
  return trimmed;
}

function checkPassword(password: string): string {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw bad(`Password: at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return password;
}

export class UserService {
  /** Users whose MaxChats changed: with more room they may take queued chats. */
  readonly limitChanged = new Listeners<number>();

  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
    private readonly auth: AuthService,
  ) {}

  list(actor: Actor): Promise<ChatUser[]> {
    assertAdmin(actor);
    return this.store.listUsers();
  }

  async get(actor: Actor, id: number): Promise<ChatUser> {
    assertAdmin(actor);
    return this.require(id);
  }

  async create(actor: Actor, input: NewUserInput): Promise<ChatUser> {
    assertAdmin(actor);
    const username = checkUsername(input.username);
    const maxChats = checkChatLimit("MaxChats", input.maxChats ?? 0);
    if (input.id !== undefined && input.id < 1)
      throw bad("UserId: a positive integer, or 0 for the next free one");
    const user = await this.store.createUser({
      id: input.id,
      username,
      displayName: input.displayName?.trim() || username,
      role: input.role,
      passwordHash: input.password ? await hashPassword(checkPassword(input.password)) : null,
      maxChats,
    });
    await this.presence.usersChanged([user.id], adminOrigin(actor));
    return user;
  }

  async update(actor: Actor, id: number, change: UserChange): Promise<ChatUser> {
    assertAdmin(actor);
    const before = await this.require(id);
    if (id === actor.userId && change.role && change.role !== "admin") {
      throw new PresenceError("PRES_ERR_SELF");
    }
    const patch: UserPatch = {
      username: change.username === undefined ? undefined : checkUsername(change.username),
      displayName: change.displayName?.trim() || undefined,
      role: change.role,
      presenceTtl: checkPresenceTtl(change.presenceTtl),
      maxChats:
        change.maxChats === undefined ? undefined : checkChatLimit("MaxChats", change.maxChats),
    };
    const after = await this.store.updateUser(id, patch);
    if (!after) throw new PresenceError("PRES_ERR_NO_USER", { user: id });
    // Cached credentials carry the role and name they were resolved with: a change to either
    // applies from the next request (other nodes hear of it from the store).
    if (after.role !== before.role || after.username !== before.username) this.auth.forgetUser(id);
    if (after.displayName !== before.displayName) {
      await this.presence.usersChanged([id], adminOrigin(actor));
    }
    if (after.maxChats !== before.maxChats) await this.limitChanged.notify(id);
    return after;
  }

  async delete(actor: Actor, id: number): Promise<void> {
    assertAdmin(actor);
    if (id === actor.userId) throw new PresenceError("PRES_ERR_SELF");
    await this.require(id);
    // Signed out first, so no cached credential outlives the user.
    await this.auth.revokeAllOf(id);
    if (!(await this.store.deleteUser(id))) {
      throw new PresenceError("PRES_ERR_NO_USER", { user: id });
    }
    await this.presence.usersChanged([id], adminOrigin(actor));
  }

  /**
   * Sets a new password, or makes one up when none is given (returned once, never stored in
   * clear). Every ticket, token and browser session of the user ends at once.
   */
  async resetPassword(actor: Actor, id: number, password?: string | null): Promise<string> {
    assertAdmin(actor);
    await this.require(id);
    const next = password ? checkPassword(password) : randomSecret(12);
    await this.store.updateUser(id, { passwordHash: await hashPassword(next) });
    await this.auth.revokeAllOf(id);
    return next;
  }

  /** Ends every ticket, bearer token and browser session of an existing user; passwords stay. */
  async revokeCredentials(actor: Actor, id: number): Promise<void> {
    assertAdmin(actor);
    await this.require(id);
    await this.auth.revokeAllOf(id);
  }

  /** A user by username (case-insensitive), or PRES_ERR_NO_USER. */
  async byUsername(actor: Actor, username: string): Promise<ChatUser> {
    assertAdmin(actor);
    const user = await this.store.getUserByUsername(username);
    if (!user) throw new PresenceError("PRES_ERR_NO_USER", { user: username });
    return user;
  }

  private async require(id: number): Promise<ChatUser> {
    const user = await this.store.getUser(id);
    if (!user) throw new PresenceError("PRES_ERR_NO_USER", { user: id });
    return user;
  }
}
