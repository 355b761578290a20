/**
 * Chat session operations for every protocol. Each change is a domain GuardedChange applied
 * by one conditional write in the store; when the write finds the session changed (a lost
 * pick-up race, a finished chat) the session is read again to say why. A change that gives a
 * chat to a user at their limits (domain/capacity.ts) is refused with PRES_ERR_AT_CAPACITY.
 * Every change that can alter OngoingChats is reported to the presence service before the call
 * returns.
 */
import { describeLimits } from "../domain/capacity.ts";
import { PresenceError } from "../domain/errors.ts";
import type { TopicRights } from "../domain/model.ts";
import type { Actor } from "../domain/presence.ts";
import {
  assertMayChangeSession,
  assertMayReadSession,
  assertMayReadTopic,
  assertMayReassign,
  assertMayRespond,
  isAdmin,
  mayRespond,
} from "../domain/rights.ts";
import type { RoutingOffer } from "../domain/routing.ts";
import {
  acceptTransfer,
  type ChatSessionRecord,
  edit,
  type GuardedChange,
  meetsCondition,
  offerTransfer,
  pickUp,
  rejectTransfer,
  reset,
  type SessionEdit,
} from "../domain/session.ts";
import type { Store } from "../store/store.ts";
import { Listeners } from "./listeners.ts";
import type { PresenceService } from "./presence.ts";
import { defaultSession, newSession, type SessionInput } from "./session-input.ts";
import { findUser } from "./topics.ts";

/** Why a guarded change did not apply, from the session as it is now. */
type Explain = (now: ChatSessionRecord) => PresenceError;

/** A session as it was and as it is (null: it did not exist, or no longer does). */
export interface SessionChange {
  before: ChatSessionRecord | null;
  after: ChatSessionRecord | null;
  /** The open offer a deletion ended with the session (the offer cannot outlive it). */
  endedOffer?: RoutingOffer | null;
}

/** PRES_ERR_AT_CAPACITY naming the limits that are set (those of one topic, or the user's). */
export async function atCapacity(
  store: Store,
  userId: number,
  topicId: number | null,
): Promise<PresenceError> {
  const [user, topic] = await Promise.all([
    store.getUser(userId),
    topicId === null ? null : store.getTopic(topicId),
  ]);
  return new PresenceError("PRES_ERR_AT_CAPACITY", {
    user: user?.username ?? userId,
    limits: describeLimits(user?.maxChats ?? 0, topic),
  });
}

export class SessionService {
  /**
   * Every change made here, after presence has heard of it: routing listens (a session queued
   * or taken) without this layer knowing of routing.
   */
  readonly changes = new Listeners<SessionChange>();

  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
  ) {}

  /** What CreateDefaultChatSessionEntity and GET /ChatSession/default return (id 0). */
  defaultSession(): ChatSessionRecord {
    return defaultSession();
  }

  async get(actor: Actor, id: number): Promise<ChatSessionRecord> {
    const session = await this.require(id);
    assertMayReadSession(actor, session, await this.rightsIn(actor, session.topicId));
    return session;
  }

  /** A session the caller may change: its user, a manager of its topic, or an administrator. */
  async getForChange(actor: Actor, id: number): Promise<ChatSessionRecord> {
    const session = await this.require(id);
    assertMayChangeSession(actor, session, await this.rightsIn(actor, session.topicId));
    return session;
  }

  /** Every session for administrators; for others, those they may see. */
  list(actor: Actor): Promise<ChatSessionRecord[]> {
    return this.store.listSessions(isAdmin(actor) ? {} : { visibleTo: actor.userId });
  }

  /** The sessions of one topic, for its members and administrators. */
  async listForTopic(actor: Actor, topicId: number): Promise<ChatSessionRecord[]> {
    if (!(await this.store.getTopic(topicId))) {
      throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId });
    }
    assertMayReadTopic(actor, topicId, await this.rightsIn(actor, topicId));
    return this.store.listSessions({ topicId });
  }

  /** ChatSessionsForUser: in the caller's topics, assigned to them, or offered to them. */
  forUser(actor: Actor): Promise<ChatSessionRecord[]> {
    return this.store.listSessions({ visibleTo: actor.userId });
  }

  /**
   * A new session, waiting in the queue unless the input says otherwise. Any signed-in caller
   * may create one (it stands for a customer's request); the topic must exist.
   */
  async create(input: SessionInput): Promise<ChatSessionRecord> {
    const after = await this.store.createSession(newSession(input, Date.now()));
    await this.changes.notify({ before: null, after });
    return after;
  }

  /**
   * Saves an entity over a session: its own user, a topic manager or an administrator; only
   * managers and administrators hand it to someone else, who must be able to respond.
   */
  async save(actor: Actor, id: number, change: SessionEdit): Promise<ChatSessionRecord> {
    const before = await this.require(id);
    const rights = await this.rightsIn(actor, before.topicId);
    assertMayChangeSession(actor, before, rights);
    const userId = change.userId === undefined ? (before.user?.id ?? null) : change.userId;
    if (userId !== (before.user?.id ?? null) && userId !== null) {
      assertMayReassign(actor, before, rights);
      await this.assertCanRespond(userId, before.topicId);
    }
    const guarded = edit(before, change, Date.now());
    const after = await this.apply(
      id,
      guarded,
      () => new PresenceError("PRES_ERR_CHANGED", { sessionId: id }),
    );
    await this.changed(actor, before, after);
    return after;
  }

  async delete(actor: Actor, id: number): Promise<void> {
    const before = await this.require(id);
    assertMayReassign(actor, before, await this.rightsIn(actor, before.topicId));
    const deleted = await this.store.deleteSession(id);
    if (!deleted) throw new PresenceError("PRES_ERR_NO_SESSION", { sessionId: id });
    const { endedOffer, ...gone } = deleted;
    await this.changed(actor, gone, null, endedOffer);
  }

  /** Answers a queued session; exactly one of several racing callers gets it. */
  async pickUp(actor: Actor, id: number): Promise<ChatSessionRecord> {
    const before = await this.require(id);
    assertMayRespond(actor, before.topicId, await this.rightsIn(actor, before.topicId));
    const after = await this.apply(
      id,
      pickUp(actor.userId, Date.now()),
      (now) => new PresenceError("PRES_ERR_NOT_IN_QUEUE", { sessionId: id, status: now.status }),
    );
    await this.changed(actor, before, after);
    return after;
  }

  /** Answers the oldest queued session in a topic where the caller can respond; null if none. */
  async pickUpFirst(actor: Actor): Promise<ChatSessionRecord | null> {
    let topics: number[] | null = null;
    if (!isAdmin(actor)) {
      const rights = await this.store.rightsOf(actor.userId);
      topics = [...rights].filter(([, r]) => r.canRespond).map(([topicId]) => topicId);
      if (topics.length === 0) return null;
    }
    const picked = await this.store.pickUpFirstSession(actor.userId, topics, Date.now());
    if (picked) {
      const queued = { ...picked, status: "InQueue", user: null, whenStarted: null } as const;
      await this.changed(actor, queued, picked);
      return picked;
    }
    if (await this.store.waitingBeyondCapacity(actor.userId, topics)) {
      throw await this.atCapacity(actor.userId, null);
    }
    return null;
  }

  /**
   * Offers the caller's chat to another user. As the contract says, when the session does not
   * belong to the caller nothing happens: the session comes back unchanged.
   */
  async transfer(actor: Actor, id: number, toUser: string): Promise<ChatSessionRecord> {
    const before = await this.get(actor, id);
    if (before.user?.id !== actor.userId) return before;
    const target = await findUser(this.store, toUser);
    if (!target) throw new PresenceError("PRES_ERR_NO_USER", { user: toUser });
    if (target.id === actor.userId) return before;
    await this.assertCanRespond(target.id, before.topicId);
    return this.apply(id, offerTransfer(actor.userId, target.id), (now) =>
      now.user?.id === actor.userId
        ? new PresenceError("PRES_ERR_NOT_ONGOING", { sessionId: id, status: now.status })
        : new PresenceError("PRES_ERR_CHANGED", { sessionId: id }),
    );
  }

  /** Takes over a chat offered to the caller. */
  async acceptTransfer(actor: Actor, id: number): Promise<ChatSessionRecord> {
    const before = await this.require(id);
    const after = await this.apply(id, acceptTransfer(actor.userId), (now) =>
      now.transferTo?.id === actor.userId
        ? new PresenceError("PRES_ERR_NOT_ONGOING", { sessionId: id, status: now.status })
        : new PresenceError("PRES_ERR_NO_TRANSFER", { sessionId: id }),
    );
    await this.changed(actor, before, after);
    return after;
  }

  /** Declines a chat offered to the caller; it stays with its user. */
  async rejectTransfer(actor: Actor, id: number): Promise<ChatSessionRecord> {
    await this.require(id);
    return this.apply(
      id,
      rejectTransfer(actor.userId),
      () => new PresenceError("PRES_ERR_NO_TRANSFER", { sessionId: id }),
    );
  }

  /** Puts an ongoing chat back in the queue (how a bot hands over to a human). */
  async reset(actor: Actor, id: number): Promise<ChatSessionRecord> {
    const before = await this.require(id);
    assertMayChangeSession(actor, before, await this.rightsIn(actor, before.topicId));
    const after = await this.apply(
      id,
      { ...reset(), condition: { ...reset().condition, userId: before.user?.id ?? null } },
      (now) =>
        now.user?.id === before.user?.id
          ? new PresenceError("PRES_ERR_NOT_ONGOING", { sessionId: id, status: now.status })
          : new PresenceError("PRES_ERR_CHANGED", { sessionId: id }),
    );
    await this.changed(actor, before, after);
    return after;
  }

  private rightsIn(actor: Actor, topicId: number): Promise<TopicRights | null> {
    return this.store.getMember(topicId, actor.userId);
  }

  private async require(id: number): Promise<ChatSessionRecord> {
    const session = await this.store.getSession(id);
    if (!session) throw new PresenceError("PRES_ERR_NO_SESSION", { sessionId: id });
    return session;
  }

  private async assertCanRespond(userId: number, topicId: number): Promise<void> {
    const user = await this.store.getUser(userId);
    if (!user) throw new PresenceError("PRES_ERR_NO_USER", { user: userId });
    if (!mayRespond(user.role, await this.store.getMember(topicId, userId))) {
      throw new PresenceError("PRES_ERR_CANNOT_RESPOND", { user: user.username, topicId });
    }
  }

  /**
   * Applies a guarded change; when it does not apply, says why (404 if the session is gone).
   * A session that still meets the row condition was refused for the taker's capacity.
   */
  private async apply(id: number, change: GuardedChange, explain: Explain) {
    const after = await this.store.updateSessionIf(id, change);
    if (after) return after;
    const now = await this.require(id);
    const taker = change.condition.capacityFor;
    if (taker !== undefined && meetsCondition(now, change.condition)) {
      throw await this.atCapacity(taker, now.topicId);
    }
    throw explain(now);
  }

  private atCapacity(userId: number, topicId: number | null): Promise<PresenceError> {
    return atCapacity(this.store, userId, topicId);
  }

  /** Tells presence (OngoingChats of the users before and after) and then the listeners. */
  private async changed(
    actor: Actor,
    before: ChatSessionRecord | null,
    after: ChatSessionRecord | null,
    endedOffer: RoutingOffer | null = null,
  ): Promise<void> {
    const ids = [before?.user?.id, after?.user?.id].filter((id) => typeof id === "number");
    if (ids.length > 0) {
      await this.presence.usersChanged(ids, { source: "session", changedBy: actor.userId });
    }
    await this.changes.notify({ before, after, endedOffer });
  }
}
