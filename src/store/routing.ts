/**
 * The store's part for routing: per-topic settings, open offers, missed-offer counts and the
 * round-robin cursor. Every decision is one atomic write (a transaction with a conditional
 * write or a unique constraint), so two nodes routing the same topic at once cannot offer a
 * session twice, give an agent two offers, or take an agent over a limit.
 */
import type { AgentLoad } from "../domain/capacity.ts";
import type { RoutingCandidate, RoutingOffer, RoutingSettings } from "../domain/routing.ts";
import type { ChatSessionRecord } from "../domain/session.ts";
import type { TopicAccepts } from "../domain/topic.ts";

export interface TopicRouting {
  settings: RoutingSettings;
  /** The agent chosen last in the topic (RoundRobin's cursor); null before the first. */
  lastChosen: number | null;
}

/** A queued session as routing takes it, oldest first. */
export interface QueuedSession {
  id: number;
  topicId: number;
  whenRequested: number | null;
}

export interface LapsedOffer extends RoutingOffer {
  /** The agent's consecutive lapsed offers, this one included. */
  missedOffers: number;
}

/** Why an accept or an assignment did not apply. */
export type RefusedTake = "no_offer" | "not_in_queue" | "at_capacity" | "unavailable";

export type TakeResult = { session: ChatSessionRecord } | { refused: RefusedTake };

export interface RoutingStore {
  /** The topic's routing (the defaults until set); null when there is no such topic. */
  getTopicRouting(topicId: number): Promise<TopicRouting | null>;
  /** Stores the settings; false when there is no such topic. */
  setRoutingSettings(topicId: number, settings: RoutingSettings): Promise<boolean>;
  /** Topics whose mode is not Pull. */
  routedTopicIds(): Promise<number[]>;
  /** The topic's InQueue sessions without an open offer, oldest first (WhenRequested, id). */
  unofferedQueue(topicId: number, limit: number): Promise<QueuedSession[]>;
  /**
   * Agents available for the topic at `now`: present (and, where they have a deadline, not
   * past it), CanRespond in it, under their limits there, and without an open offer.
   */
  availableAgents(topicId: number, now: number): Promise<RoutingCandidate[]>;
  /** The user's ongoing chats (in all topics and in this one) and their limits in the topic. */
  agentLoad(userId: number, topicId: number): Promise<AgentLoad>;
  /**
   * Offers a queued session to an available agent until `expiresAt`, moving the topic's
   * cursor to them, as one write: null when the session has left the queue or is offered
   * already, or the agent is no longer available or has an offer open.
   */
  offerSession(
    chatSessionId: number,
    userId: number,
    now: number,
    expiresAt: number,
  ): Promise<RoutingOffer | null>;
  /**
   * Takes the agent's open, unexpired offer and assigns the session to them (UserLast,
   * WhenStarted `now`) under their limits, in one transaction. The offer ends either way.
   */
  acceptOffer(chatSessionId: number, userId: number, now: number): Promise<TakeResult>;
  /**
   * Ends the agent's open offer of the session and notes that they passed it; null when there
   * was none. Resets their misses (they answered).
   */
  declineOffer(chatSessionId: number, userId: number): Promise<RoutingOffer | null>;
  /**
   * Assigns a queued session straight to an available agent (Assign mode) under their
   * limits, moving the topic's cursor, in one transaction.
   */
  assignSession(chatSessionId: number, userId: number, now: number): Promise<TakeResult>;
  /**
   * Ends every offer expired at `now`, counting a miss for each agent and noting that they
   * passed the session, in one transaction: each offer lapses once, whichever node asks.
   */
  lapseOffers(now: number): Promise<LapsedOffer[]>;
  /** Ends these agents' open offers (they went away); returns them. */
  withdrawAgentOffers(userIds: readonly number[]): Promise<RoutingOffer[]>;
  /** Ends the open offer of a session taken some other way; null when there was none. */
  withdrawSessionOffer(chatSessionId: number): Promise<RoutingOffer | null>;
  /**
   * Ends offers that can no longer be accepted although unexpired: of sessions that left the
   * queue, or to agents no longer present (changes other nodes made).
   */
  withdrawStaleOffers(now: number): Promise<RoutingOffer[]>;
  /** The session's place in its topic's queue (1: the oldest); 0 when it is not queued. */
  queuePosition(chatSessionId: number): Promise<number>;
  /** The agents who declined the session or let an offer of it lapse. */
  passesOf(chatSessionId: number): Promise<number[]>;
  /** Sets the agent's consecutive missed offers back to 0. */
  resetMissedOffers(userId: number): Promise<void>;
  /** The agent's open offers, oldest first. */
  offersOf(userId: number): Promise<RoutingOffer[]>;
  /** Every open offer of a topic, oldest first. */
  topicOffers(topicId: number): Promise<RoutingOffer[]>;
  /** The earliest expiry of any open offer; null when none is open. */
  nextOfferExpiry(): Promise<number | null>;
  /** The topic's accepts measured from its sessions' WhenRequested and WhenStarted. */
  acceptStats(topicId: number): Promise<TopicAccepts>;
}
