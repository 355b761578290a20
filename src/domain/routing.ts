/**
 * Routing: how a topic hands its queued sessions to agents, and which agent comes next. Pure:
 * the store reads who is available and makes each decision in one atomic write; this module
 * only validates settings and orders the candidates.
 * - Pull (the default) is SuperOffice's behaviour: agents pick sessions up themselves.
 * - Offer: the oldest queued session is offered to one available agent for OfferSeconds.
 * - Assign: the chosen agent gets the session at once.
 */
import { type AgentLoad, chatLimit, checkChatLimit } from "./capacity.ts";
import { localized, PresenceError } from "./errors.ts";

export const ROUTING_MODES = ["Pull", "Offer", "Assign"] as const;
export type RoutingMode = (typeof ROUTING_MODES)[number];

export const ROUTING_ORDERS = ["LeastBusy", "RoundRobin"] as const;
export type RoutingOrder = (typeof ROUTING_ORDERS)[number];

/** A topic's routing settings; MaxChatsPerAgent is the topic's own column (capacity.ts). */
export interface RoutingSettings {
  mode: RoutingMode;
  offerSeconds: number;
  order: RoutingOrder;
  /** Consecutive lapsed offers after which an agent is set absent; 0 never does. */
  missedOffersBeforeAway: number;
}

export const DEFAULT_ROUTING: RoutingSettings = {
  mode: "Pull",
  offerSeconds: 30,
  order: "LeastBusy",
  missedOffersBeforeAway: 3,
};

/** The longest offer: a day (an offer is a question to someone at their desk). */
export const MAX_OFFER_SECONDS = 86_400;
/** More missed offers than this before Away would mean never: use 0 for that. */
const MAX_MISSED_OFFERS = 1_000;

/** An open offer: one session offered to one agent until expiresAt (ms since the epoch). */
export interface RoutingOffer {
  chatSessionId: number;
  topicId: number;
  userId: number;
  offeredAt: number;
  expiresAt: number;
}

/** An agent available for a topic, with what the choice orders by. */
/**
 * An available agent: their ongoing chats in all topics (OngoingChats) and in this one, their
 * MaxChats and the topic's MaxChatsPerAgent (0: no limit).
 */
export interface RoutingCandidate extends AgentLoad {
  userId: number;
  /** When they last started a chat (WhenStarted of their newest); null for never. */
  lastAssignedAt: number | null;
}

function bad(field: string, expected: string, nb: string): PresenceError {
  return new PresenceError("PRES_ERR_BAD_BODY", {
    detail: localized(`${field}: expected ${expected}`, `${field}: forventet ${nb}`),
  });
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  const found = allowed.find(
    (a) => typeof value === "string" && a.toLowerCase() === value.toLowerCase(),
  );
  if (!found) throw bad(field, `one of ${allowed.join(", ")}`, `en av ${allowed.join(", ")}`);
  return found;
}

function wholeNumber(field: string, value: unknown, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw bad(field, `a whole number from ${min} to ${max}`, `et heltall fra ${min} til ${max}`);
  }
  return value as number;
}

/** The routing body as given: fields left out keep the stored values. */
export interface RoutingInput {
  Mode?: unknown;
  OfferSeconds?: unknown;
  MaxChatsPerAgent?: unknown;
  Order?: unknown;
  MissedOffersBeforeAway?: unknown;
}

/** Checks a routing body over the stored settings; PRES_ERR_BAD_BODY names the first bad field. */
export function readRouting(
  input: RoutingInput,
  stored: RoutingSettings,
  storedLimit: number,
): { settings: RoutingSettings; maxChatsPerAgent: number } {
  const given = (value: unknown) => value !== undefined && value !== null;
  return {
    settings: {
      mode: given(input.Mode) ? oneOf("Mode", input.Mode, ROUTING_MODES) : stored.mode,
      offerSeconds: given(input.OfferSeconds)
        ? wholeNumber("OfferSeconds", input.OfferSeconds, 1, MAX_OFFER_SECONDS)
        : stored.offerSeconds,
      order: given(input.Order) ? oneOf("Order", input.Order, ROUTING_ORDERS) : stored.order,
      missedOffersBeforeAway: given(input.MissedOffersBeforeAway)
        ? wholeNumber("MissedOffersBeforeAway", input.MissedOffersBeforeAway, 0, MAX_MISSED_OFFERS)
        : stored.missedOffersBeforeAway,
    },
    maxChatsPerAgent: given(input.MaxChatsPerAgent)
      ? checkChatLimit("MaxChatsPerAgent", input.MaxChatsPerAgent)
      : storedLimit,
  };
}

/**
 * How full an agent is: ongoing chats over the limit that binds them. An agent without a limit
 * is measured against the largest limit among the candidates (so like is compared with like),
 * or counts chats plainly when no candidate has a limit.
 */
function loads(candidates: readonly RoutingCandidate[]): Map<number, number> {
  const limits = candidates.map((c) => chatLimit(c.maxChats, c.maxChatsPerAgent));
  const largest = Math.max(1, ...limits);
  return new Map(
    candidates.map((c, i) => [c.userId, c.ongoingChats / (limits[i] > 0 ? limits[i] : largest)]),
  );
}

/** LeastBusy: lowest load, then longest since their last assignment (never first), then lowest id. */
function leastBusy(candidates: readonly RoutingCandidate[]): RoutingCandidate[] {
  const load = loads(candidates);
  return [...candidates].sort(
    (a, b) =>
      (load.get(a.userId) as number) - (load.get(b.userId) as number) ||
      (a.lastAssignedAt ?? -1) - (b.lastAssignedAt ?? -1) ||
      a.userId - b.userId,
  );
}

/** RoundRobin: by user id, starting with the first after the one chosen last, wrapping round. */
function roundRobin(candidates: readonly RoutingCandidate[], lastChosen: number | null) {
  const byId = [...candidates].sort((a, b) => a.userId - b.userId);
  const next = byId.findIndex((c) => lastChosen === null || c.userId > lastChosen);
  return next <= 0 ? byId : [...byId.slice(next), ...byId.slice(0, next)];
}

/** The candidates in the order the topic tries them: the first is the choice. */
export function orderCandidates(
  order: RoutingOrder,
  candidates: readonly RoutingCandidate[],
  lastChosen: number | null,
): RoutingCandidate[] {
  return order === "RoundRobin" ? roundRobin(candidates, lastChosen) : leastBusy(candidates);
}

/** Whether routing acts in this mode (Pull leaves the queue to the agents). */
export function routes(mode: RoutingMode): boolean {
  return mode !== "Pull";
}
