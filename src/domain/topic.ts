/** Chat topics as stored, their members, and the defaults of a new topic. Pure data. */
import type { TopicRights } from "./model.ts";
import { defaultOpeningHours, type OpeningHours } from "./opening-hours.ts";

/** A user as other records refer to one. */
export interface UserRef {
  id: number;
  username: string;
  displayName: string;
}

export interface ChatTopicRecord {
  id: number;
  name: string;
  description: string;
  welcomeMessage: string;
  openingHoursEnabled: boolean;
  openingHours: OpeningHours;
  /**
   * The other ChatTopicEntity fields (widget, bot, ticket, alert settings …) exactly as the
   * client last saved them: kept and returned, not interpreted by this server.
   */
  settings: Record<string, unknown>;
  /** The most ongoing chats one agent may have in this topic (domain/capacity.ts); 0: no limit. */
  maxChatsPerAgent: number;
  /** Measured from the topic's sessions where read for a client (LastAccept, SecondsPrAccept). */
  accepts?: TopicAccepts;
}

/**
 * How the topic's sessions were taken: when last (ms), and the mean seconds from WhenRequested
 * to WhenStarted, over every session an agent took (pick-up, accepted offer, assignment).
 */
export interface TopicAccepts {
  lastAccept: number | null;
  secondsPerAccept: number | null;
}

/** A topic as the ChatTopicEntity saves it; MaxChatsPerAgent is set on its own (routing). */
export type TopicInput = Omit<ChatTopicRecord, "id" | "maxChatsPerAgent" | "accepts">;

export interface TopicMemberRecord extends TopicRights {
  topicId: number;
  user: UserRef;
}

export interface MemberRights extends TopicRights {
  userId: number;
}

export const NO_RIGHTS: TopicRights = {
  canListen: false,
  canRespond: false,
  canManage: false,
  canNotify: false,
};

/** What CreateDefaultChatTopicEntity and GET /ChatTopic/default return (id 0). */
export function defaultTopic(): ChatTopicRecord {
  return {
    id: 0,
    name: "",
    description: "",
    welcomeMessage: "",
    openingHoursEnabled: false,
    openingHours: defaultOpeningHours(),
    settings: {},
    maxChatsPerAgent: 0,
  };
}
