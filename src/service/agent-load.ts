/** An agent's own load against their chat limits: what the dashboard shows as "2 / 3 chats". */
import { type LoadSummary, overallLimit, topicLimits } from "../domain/capacity.ts";
import type { Actor } from "../domain/presence.ts";
import type { Store } from "../store/store.ts";

export class AgentLoadService {
  constructor(private readonly store: Store) {}

  /** The caller's ongoing chats and limits, in the topics where they may respond. */
  async of(actor: Actor): Promise<LoadSummary> {
    const [presence, user, rights] = await Promise.all([
      this.store.presenceOf([actor.userId]),
      this.store.getUser(actor.userId),
      this.store.rightsOf(actor.userId),
    ]);
    const responding = [...rights].filter(([, r]) => r.canRespond).map(([topicId]) => topicId);
    const topics = await Promise.all(responding.map((id) => this.store.getTopic(id)));
    const maxChats = user?.maxChats ?? 0;
    const limits = topicLimits(
      maxChats,
      topics.filter((topic) => topic !== null),
    );
    return {
      userId: actor.userId,
      ongoingChats: presence[0]?.OngoingChats ?? 0,
      maxChats,
      limit: overallLimit(maxChats, limits),
      topics: limits,
    };
  }
}
