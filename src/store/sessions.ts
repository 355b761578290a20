/** The store's part for chat sessions: every change is one conditional write. */
import type { RoutingOffer } from "../domain/routing.ts";
import type { ChatSessionRecord, GuardedChange, NewSession } from "../domain/session.ts";

export interface SessionFilter {
  topicId?: number;
  /** Only sessions this user may see: assigned or offered to them, or in a topic they belong to. */
  visibleTo?: number;
}

export interface SessionStore {
  listSessions(filter: SessionFilter): Promise<ChatSessionRecord[]>;
  getSession(id: number): Promise<ChatSessionRecord | null>;
  /**
   * Inserts a session, its InitialQueuePos counted in the same statement. Throws
   * PRES_ERR_NO_TOPIC when the topic does not exist.
   */
  createSession(session: NewSession): Promise<ChatSessionRecord>;
  /**
   * Applies the change only if the row still meets its condition, atomically (one UPDATE … WHERE
   * on SQL backends). Null when the session is missing or no longer meets the condition. A
   * condition's `capacityFor` is decided in the same write, so racing assignments to one user
   * never take them over a limit, from one process or many.
   */
  updateSessionIf(id: number, change: GuardedChange): Promise<ChatSessionRecord | null>;
  /**
   * Picks up the oldest InQueue session (by WhenRequested, then id) in these topics (null: any
   * topic) for the user, as one atomic write, passing over topics where the user's limits
   * leave no room. Null when nothing is waiting that the user may take.
   */
  pickUpFirstSession(
    userId: number,
    topicIds: readonly number[] | null,
    now: number,
  ): Promise<ChatSessionRecord | null>;
  /**
   * Whether a session waits in these topics (null: any) that the user's limits keep them from
   * taking: why a first-in-queue pick-up found nothing. A read, not a decision.
   */
  waitingBeyondCapacity(userId: number, topicIds: readonly number[] | null): Promise<boolean>;
  /**
   * Deletes a session with its open offer, in one write; returns it as it was and the offer
   * it ended (so the offer's end can be told), or null when there was none.
   */
  deleteSession(id: number): Promise<DeletedSession | null>;
}

/** A deleted session as it was, with the open offer its deletion ended (null: none). */
export interface DeletedSession extends ChatSessionRecord {
  endedOffer: RoutingOffer | null;
}
