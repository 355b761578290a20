/**
 * Chat sessions as stored, and the status rules. Every operation that changes a session is a
 * guarded change: a condition on the row as the caller saw it plus the new values. The store
 * applies both in one conditional UPDATE, so two callers racing for one session cannot both
 * win, on SQLite or on PostgreSQL.
 */
import { PresenceError } from "./errors.ts";
import { ONGOING_STATUSES, SESSION_STATUSES, type SessionStatus } from "./model.ts";
import type { UserRef } from "./topic.ts";

export interface CustomerInfo {
  alias: string;
  name: string;
  email: string;
  phone: string;
  companyName: string;
  host: string;
  consented: boolean;
}

export interface ChatSessionRecord {
  id: number;
  topicId: number;
  status: SessionStatus;
  user: UserRef | null;
  /** The user a transfer is waiting for; null when none. */
  transferTo: UserRef | null;
  customer: CustomerInfo;
  firstMessage: string;
  lastMessage: string;
  rating: number;
  chatbotIsActive: boolean;
  /** Milliseconds since the epoch; null when it has not happened. */
  whenRequested: number | null;
  whenStarted: number | null;
  whenEnded: number | null;
  /** When the last ToCustomer or ToUser message was posted (the contract's WhenIdle). */
  whenIdle: number | null;
  initialQueuePos: number;
}

export interface NewSession {
  topicId: number;
  status: SessionStatus;
  customer: CustomerInfo;
  firstMessage: string;
  lastMessage: string;
  rating: number;
  chatbotIsActive: boolean;
  whenRequested: number;
}

/** The row must still look like this for the change to apply. */
export interface SessionCondition {
  statusIn?: readonly SessionStatus[];
  /** The assigned user id (null: unassigned). */
  userId?: number | null;
  transferToId?: number | null;
  /**
   * The user the change gives the chat to: they must have room for one more ongoing chat under
   * their limits in the session's topic (capacity.ts), checked in the same write.
   */
  capacityFor?: number;
}

export interface SessionChanges {
  status?: SessionStatus;
  userId?: number | null;
  transferToId?: number | null;
  customer?: CustomerInfo;
  firstMessage?: string;
  lastMessage?: string;
  rating?: number;
  chatbotIsActive?: boolean;
  whenStarted?: number | null;
  whenEnded?: number | null;
}

export interface GuardedChange {
  condition: SessionCondition;
  changes: SessionChanges;
}

export const EMPTY_CUSTOMER: CustomerInfo = {
  alias: "",
  name: "",
  email: "",
  phone: "",
  companyName: "",
  host: "",
  consented: false,
};

export function isOngoing(status: SessionStatus): boolean {
  return ONGOING_STATUSES.includes(status);
}

/** Whether the session meets the row part of a condition (all but capacity). */
export function meetsCondition(session: ChatSessionRecord, condition: SessionCondition): boolean {
  const { statusIn, userId, transferToId } = condition;
  return (
    (statusIn === undefined || statusIn.includes(session.status)) &&
    (userId === undefined || userId === (session.user?.id ?? null)) &&
    (transferToId === undefined || transferToId === (session.transferTo?.id ?? null))
  );
}

/** Statuses a session may be created in: before anyone has picked it up. */
export const CREATABLE_STATUSES: readonly SessionStatus[] = [
  "PreChatForm",
  "Faq",
  "OfflineForm",
  "InQueue",
  "RequestPosted",
];

const ENDED: readonly SessionStatus[] = ["Finished", "Closed", "ClosedFromQueue", "Deleted"];

/**
 * Where a saved entity may move a session. Leaving the queue for a chat is a pick-up, and
 * going back to the queue is a reset: both are operations of their own, not edits.
 */
export const STATUS_TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  Invalid: [],
  PreChatForm: ["Faq", "InQueue", "OfflineForm", "Closed", "ClosedFromQueue", "Deleted"],
  Faq: ["PreChatForm", "InQueue", "OfflineForm", "Closed", "Deleted"],
  OfflineForm: ["RequestPosted", "Closed", "Deleted"],
  InQueue: ["OfflineForm", "ClosedFromQueue", "Closed", "Deleted"],
  CustomerLast: ["UserLast", "Finished", "Closed", "Deleted"],
  UserLast: ["CustomerLast", "Finished", "Closed", "Deleted"],
  Finished: ["Closed", "Deleted"],
  Closed: ["Deleted"],
  RequestPosted: ["Closed", "Deleted"],
  ClosedFromQueue: ["Deleted"],
  Deleted: [],
};

/** Reads a status name (case-insensitive) or its contract index; throws PRES_ERR_BAD_STATUS. */
export function parseStatus(field: string, value: string | number): SessionStatus {
  const byIndex = typeof value === "number" || /^\d+$/.test(value.trim());
  const found = byIndex
    ? SESSION_STATUSES[Number(value)]
    : SESSION_STATUSES.find((s) => s.toLowerCase() === String(value).trim().toLowerCase());
  if (!found || found === "Invalid") {
    throw new PresenceError("PRES_ERR_BAD_STATUS", {
      field,
      value: String(value),
      allowed: SESSION_STATUSES.filter((s) => s !== "Invalid").join(", "),
    });
  }
  return found;
}

export function assertCreatable(status: SessionStatus): void {
  if (!CREATABLE_STATUSES.includes(status)) {
    throw new PresenceError("PRES_ERR_STATUS_TRANSITION", {
      sessionId: 0,
      from: "Invalid",
      to: status,
    });
  }
}

/** Pick-up: only a queued session, assigned to the caller as an ongoing chat. */
export function pickUp(userId: number, now: number): GuardedChange {
  return {
    condition: { statusIn: ["InQueue"], capacityFor: userId },
    changes: { status: "UserLast", userId, transferToId: null, whenStarted: now },
  };
}

/** Offers the owner's ongoing chat to another user; it stays the owner's until accepted. */
export function offerTransfer(ownerId: number, toUserId: number): GuardedChange {
  return {
    condition: { statusIn: ONGOING_STATUSES, userId: ownerId },
    changes: { transferToId: toUserId },
  };
}

export function acceptTransfer(userId: number): GuardedChange {
  return {
    condition: { statusIn: ONGOING_STATUSES, transferToId: userId, capacityFor: userId },
    changes: { userId, transferToId: null },
  };
}

export function rejectTransfer(userId: number): GuardedChange {
  return { condition: { transferToId: userId }, changes: { transferToId: null } };
}

/** Back to the queue, unassigned (how a bot hands a chat to a human). */
export function reset(): GuardedChange {
  return {
    condition: { statusIn: ONGOING_STATUSES },
    changes: { status: "InQueue", userId: null, transferToId: null, whenStarted: null },
  };
}

/** The writable part of a saved ChatSessionEntity; undefined leaves a field as it is. */
export interface SessionEdit {
  status?: SessionStatus;
  userId?: number | null;
  /** The customer details given; the others keep their values. */
  customer?: Partial<CustomerInfo>;
  firstMessage?: string;
  lastMessage?: string;
  rating?: number;
  chatbotIsActive?: boolean;
}

/**
 * An edit of a saved entity, checked against the status table. The guard is the session as it
 * was read, so a pick-up or another save in between makes the edit fail instead of undoing it.
 */
export function edit(before: ChatSessionRecord, change: SessionEdit, now: number): GuardedChange {
  const status = change.status ?? before.status;
  const userId = change.userId === undefined ? (before.user?.id ?? null) : change.userId;
  if (status !== before.status && !STATUS_TRANSITIONS[before.status].includes(status)) {
    throw new PresenceError("PRES_ERR_STATUS_TRANSITION", {
      sessionId: before.id,
      from: before.status,
      to: status,
    });
  }
  const userChanged = userId !== (before.user?.id ?? null);
  if (userChanged && !(isOngoing(status) && isOngoing(before.status))) {
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: "User can only change on an ongoing chat; pick up a queued session instead",
    });
  }
  if (isOngoing(status) && userId === null) {
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: "User: an ongoing chat must have a user; reset it to put it back in the queue",
    });
  }
  const changes: SessionChanges = {
    status,
    userId,
    customer: change.customer ? { ...before.customer, ...change.customer } : undefined,
    firstMessage: change.firstMessage,
    lastMessage: change.lastMessage,
    rating: change.rating,
    chatbotIsActive: change.chatbotIsActive,
  };
  if (userChanged || !isOngoing(status)) changes.transferToId = null;
  if (ENDED.includes(status) && !ENDED.includes(before.status)) changes.whenEnded = now;
  const condition: SessionCondition = {
    statusIn: [before.status],
    userId: before.user?.id ?? null,
  };
  if (userChanged && userId !== null) condition.capacityFor = userId;
  return { condition, changes };
}
