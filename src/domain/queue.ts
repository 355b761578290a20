/**
 * The queue as a customer sees it: how long a place in it is likely to wait, whether a chat
 * widget should show the offline form instead, and how full a topic's agents are. Pure: the
 * services gather the figures, these rules turn them into answers.
 */
import { chatLimit } from "./capacity.ts";

/**
 * How many of a topic's most recent accepts (queued to assigned) the measurement averages:
 * enough to smooth one slow pick-up, few enough to follow a change of pace within the hour.
 */
export const RECENT_ACCEPTS = 20;

/** What an estimate is made from, as measured now. */
export interface WaitBasis {
  /** Mean seconds from queued to assigned over the topic's recent accepts; null before any. */
  secondsPerAccept: number | null;
  /** Agents present with CanRespond in the topic. */
  agentsPresent: number;
  /** Agents who can take one of its chats now: the available ones and those holding its offers. */
  agentsServing: number;
}

/**
 * The expected wait of the session at `position` (1: next in line). Each agent serving takes
 * one session per round, a round lasting the measured seconds per accept, so the position waits
 * ceil(position / agents) rounds; with nobody free, one agent is counted (the first to finish a
 * chat). Null when nobody is present to take it, or nothing has been measured yet.
 */
export function estimateWaitSeconds(position: number, basis: WaitBasis): number | null {
  if (basis.agentsPresent === 0 || basis.secondsPerAccept === null) return null;
  const rounds = Math.ceil(Math.max(1, position) / Math.max(1, basis.agentsServing));
  return Math.round(rounds * basis.secondsPerAccept);
}

/** The topic's offline-form settings, as the ChatTopicEntity stores them. */
export interface OfflineFormRule {
  useQueueOfflineForm: boolean;
  /** Customers in the queue from which the form is shown; 0: not used. */
  queueLength: number;
  /** Minutes of expected wait from which the form is shown; 0: not used. */
  timeLimitMinutes: number;
}

function count(value: unknown): number {
  return Number.isInteger(value) && (value as number) > 0 ? (value as number) : 0;
}

/** The rule from a topic's saved settings (UseQueueOfflineForm, OfflineFormQueueLength, ...). */
export function offlineFormRule(settings: Record<string, unknown>): OfflineFormRule {
  return {
    useQueueOfflineForm: settings.UseQueueOfflineForm === true,
    queueLength: count(settings.OfflineFormQueueLength),
    timeLimitMinutes: count(settings.OfflineFormTimeLimit),
  };
}

export interface QueueState {
  open: boolean;
  agentsPresent: number;
  queueLength: number;
  /** The wait expected by a customer joining the queue now. */
  estimatedWaitSeconds: number | null;
}

/**
 * Whether a widget should offer the offline form rather than the queue: always when the topic
 * is closed or nobody is present; with UseQueueOfflineForm, also once the queue is
 * OfflineFormQueueLength long or a newcomer's expected wait reaches OfflineFormTimeLimit minutes.
 */
export function showOfflineForm(state: QueueState, rule: OfflineFormRule): boolean {
  if (!state.open || state.agentsPresent === 0) return true;
  if (!rule.useQueueOfflineForm) return false;
  const longQueue = rule.queueLength > 0 && state.queueLength >= rule.queueLength;
  const longWait =
    rule.timeLimitMinutes > 0 &&
    state.estimatedWaitSeconds !== null &&
    state.estimatedWaitSeconds >= rule.timeLimitMinutes * 60;
  return longQueue || longWait;
}

/** An agent's chats against the limits that bind them in a topic. */
export interface AgentLoad {
  ongoingChats: number;
  ongoingInTopic: number;
  maxChats: number;
  maxChatsPerAgent: number;
}

/**
 * How full an agent is in a topic, 0 to 1: their chats over the limit that leaves them the
 * least room (MaxChats counts every topic, MaxChatsPerAgent this one); null without a limit.
 */
export function fullness(load: AgentLoad): number | null {
  if (chatLimit(load.maxChats, load.maxChatsPerAgent) === 0) return null;
  const parts = [
    load.maxChats > 0 ? load.ongoingChats / load.maxChats : 0,
    load.maxChatsPerAgent > 0 ? load.ongoingInTopic / load.maxChatsPerAgent : 0,
  ];
  return Math.min(1, Math.max(...parts));
}

/** A topic's utilisation: the mean fullness of its agents with a limit; null when none has one. */
export function utilisation(loads: readonly AgentLoad[]): number | null {
  const measured = loads.map(fullness).filter((f): f is number => f !== null);
  return measured.length === 0 ? null : measured.reduce((a, b) => a + b, 0) / measured.length;
}
