/** The store's part for chat topics and their members. */
import type { TopicRights } from "../domain/model.ts";
import type {
  ChatTopicRecord,
  MemberRights,
  TopicInput,
  TopicMemberRecord,
} from "../domain/topic.ts";

export interface TopicStore {
  listTopics(): Promise<ChatTopicRecord[]>;
  getTopic(id: number): Promise<ChatTopicRecord | null>;
  /** Topics where the user holds at least one right, in id order. */
  topicsForUser(userId: number): Promise<ChatTopicRecord[]>;
  createTopic(topic: TopicInput): Promise<ChatTopicRecord>;
  /** Replaces every field of the input (not MaxChatsPerAgent); null when there is no such topic. */
  updateTopic(id: number, topic: TopicInput): Promise<ChatTopicRecord | null>;
  /** Sets the topic's MaxChatsPerAgent (0: no limit); null when there is no such topic. */
  setMaxChatsPerAgent(id: number, limit: number): Promise<ChatTopicRecord | null>;
  /**
   * Deletes a topic with its members and sessions in one transaction. Returns the users whose
   * presence may change (members and assigned users), or null when there was no such topic.
   */
  deleteTopic(id: number): Promise<number[] | null>;

  /** Members with their user, in user id order. */
  listMembers(topicId: number): Promise<TopicMemberRecord[]>;
  getMember(topicId: number, userId: number): Promise<TopicMemberRecord | null>;
  /** The user's rights in each topic they belong to. */
  rightsOf(userId: number): Promise<Map<number, TopicRights>>;
  /**
   * Adds or updates these memberships, all or none. Throws PRES_ERR_NO_TOPIC or
   * PRES_ERR_NO_USER when the topic or a user does not exist (any more).
   */
  upsertMembers(topicId: number, members: readonly MemberRights[]): Promise<void>;
  /** Changes an existing membership only; false when the user is not a member. */
  updateMember(topicId: number, member: MemberRights): Promise<boolean>;
  deleteMember(topicId: number, userId: number): Promise<boolean>;
}
