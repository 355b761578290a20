/** The route groups of SuperOffice's chat entities, shared by the files that declare their routes. */
import { routeGroup } from "../route.ts";

export const chatTopicRoute = routeGroup({
  tag: "ChatTopic",
  operationPrefix: "v1ChatTopicEntity_",
});

export const chatSessionRoute = routeGroup({
  tag: "ChatSession",
  operationPrefix: "v1ChatSessionEntity_",
});
