import type { Actor } from "../../domain/presence.ts";
import type { ChatSessionRecord } from "../../domain/session.ts";
import type { Services } from "../../service/services.ts";
import {
  carrierResponse,
  pathIntParameter,
  pathTextParameter,
  SELECT_PARAMETER,
  sendCarrier,
} from "../carriers/render.ts";
import {
  assertSameTopic,
  newSessionInput,
  readSession,
  SESSION_LIST,
  SESSION_SCHEMA,
  SESSION_WITH_LINKS,
  sessionCarrier,
  sessionWithLinks,
} from "../carriers/session.ts";
import { BODY_TYPES, requireBody } from "../codecs/body.ts";
import type { ParameterSpec, ResponseSpec, RouteSpec } from "../route.ts";
import { ODATA_PARAMETERS, ODATA_RESPONSE, odataSessions } from "./odata.ts";

const TAG = "ChatSession";
const ID = pathIntParameter("id", "The id of the chat session");
const SESSION_ID = pathIntParameter("chatSessionId", "The id of the chat session");
const SESSION = carrierResponse(SESSION_SCHEMA);
const LINKED = carrierResponse(SESSION_WITH_LINKS);
const NOT_FOUND: ResponseSpec = { description: "No such chat session" };
const sessionBody = {
  schema: SESSION_SCHEMA,
  required: true,
  contentTypes: BODY_TYPES,
  description: "The ChatSessionEntity; on PUT, properties left out keep their values",
};

export function sessionRoutes({ sessions }: Services): RouteSpec[] {
  const operation = (
    name: string,
    path: string,
    summary: string,
    run: (call: { actor: Actor; id: number; to: string }) => Promise<ChatSessionRecord>,
    extra: ParameterSpec[] = [],
    responses: Record<number, ResponseSpec> = {},
  ): RouteSpec => ({
    method: "POST",
    url: `/api/v1/ChatSession/:chatSessionId/${path}`,
    operationId: `v1ChatSessionEntity_${name}`,
    summary,
    tag: TAG,
    auth: true,
    parameters: [SESSION_ID, ...extra],
    responses: { 200: SESSION, 404: NOT_FOUND, ...responses },
    async handler(request, reply) {
      const id = request.bound.int("chatSessionId");
      const session = await run({
        actor: request.actor,
        id,
        to: request.bound.segment("toAssociate"),
      });
      return sendCarrier(request, reply, sessionCarrier(session), SESSION_SCHEMA);
    },
  });

  return [
    {
      method: "GET",
      url: "/api/v1/ChatSession/default",
      operationId: "v1ChatSessionEntity_DefaultChatSessionEntity",
      summary: "A new ChatSessionEntity with default values (not saved)",
      tag: TAG,
      auth: true,
      responses: { 200: SESSION },
      handler: async (request, reply) =>
        sendCarrier(request, reply, sessionCarrier(sessions.defaultSession()), SESSION_SCHEMA),
    },
    {
      method: "GET",
      url: "/api/v1/ChatSession",
      operationId: "v1ChatSessionEntity_GetAll",
      summary: "OData list of chat sessions: all for administrators, the visible ones for others",
      tag: TAG,
      auth: true,
      parameters: ODATA_PARAMETERS,
      responses: { 200: { description: "OK", schema: ODATA_RESPONSE } },
      handler: async (request) => odataSessions(request, await sessions.list(request.actor)),
    },
    {
      method: "POST",
      url: "/api/v1/ChatSession",
      operationId: "v1ChatSessionEntity_PostChatSessionEntity",
      summary: "Creates a new ChatSessionEntity in its topic's queue (or another pre-chat status)",
      tag: TAG,
      auth: true,
      parameters: [SELECT_PARAMETER],
      body: sessionBody,
      responses: { 200: LINKED, 404: { description: "No such chat topic" } },
      async handler(request, reply) {
        const created = await sessions.create(newSessionInput(readSession(requireBody(request))));
        return sendCarrier(request, reply, sessionWithLinks(created, request), SESSION_WITH_LINKS);
      },
    },
    {
      method: "GET",
      url: "/api/v1/ChatSession/:id",
      operationId: "v1ChatSessionEntity_GetChatSessionEntity",
      summary: "Gets a ChatSessionEntity (its user, members of its topic, administrators)",
      tag: TAG,
      auth: true,
      parameters: [ID, SELECT_PARAMETER],
      responses: { 200: LINKED, 404: NOT_FOUND },
      async handler(request, reply) {
        const session = await sessions.get(request.actor, request.bound.int("id"));
        return sendCarrier(request, reply, sessionWithLinks(session, request), SESSION_WITH_LINKS);
      },
    },
    {
      method: "PUT",
      url: "/api/v1/ChatSession/:id",
      operationId: "v1ChatSessionEntity_PutChatSessionEntity",
      summary:
        "Updates a ChatSessionEntity: status (by the transition table), customer details, user",
      tag: TAG,
      auth: true,
      parameters: [ID, SELECT_PARAMETER],
      body: sessionBody,
      responses: {
        200: LINKED,
        400: { description: "Bad request. Entity to save is not in request body." },
        404: NOT_FOUND,
        409: { description: "Not a status this session can go to, or it changed meanwhile" },
      },
      async handler(request, reply) {
        const id = request.bound.int("id");
        const saved = readSession(requireBody(request));
        assertSameTopic(saved, (await sessions.get(request.actor, id)).topicId);
        const session = await sessions.save(request.actor, id, saved.edit);
        return sendCarrier(request, reply, sessionWithLinks(session, request), SESSION_WITH_LINKS);
      },
    },
    {
      method: "DELETE",
      url: "/api/v1/ChatSession/:id",
      operationId: "v1ChatSessionEntity_DeleteChatSessionEntity",
      summary: "Deletes the ChatSessionEntity (topic managers and administrators)",
      tag: TAG,
      auth: true,
      parameters: [ID],
      responses: { 204: { description: "ChatSessionEntity deleted." }, 404: NOT_FOUND },
      async handler(request, reply) {
        await sessions.delete(request.actor, request.bound.int("id"));
        return reply.code(204).send();
      },
    },
    {
      method: "GET",
      url: "/api/v1/ChatSession/ForCurrentUser",
      operationId: "v1ChatSessionEntity_ChatSessionsForUser",
      summary: "Sessions in the caller's topics (any right), assigned to them or offered to them",
      tag: TAG,
      auth: true,
      responses: { 200: carrierResponse(SESSION_LIST) },
      async handler(request, reply) {
        const list = await sessions.forUser(request.actor);
        return sendCarrier(request, reply, list.map(sessionCarrier), SESSION_LIST);
      },
    },
    {
      method: "POST",
      url: "/api/v1/ChatSession/Pickup",
      operationId: "v1ChatSessionEntity_PickUpFirstChatSession",
      summary:
        "Answer the oldest queued session in a topic where the caller can respond; null if none",
      tag: TAG,
      auth: true,
      responses: { 200: { ...SESSION, description: "The session picked up, or null" } },
      async handler(request, reply) {
        const picked = await sessions.pickUpFirst(request.actor);
        return sendCarrier(request, reply, picked && sessionCarrier(picked), SESSION_SCHEMA);
      },
    },
    operation(
      "PickUpChatSession",
      "Pickup",
      "Answer a queued session (CanRespond): it becomes the caller's, UserLast",
      ({ actor, id }) => sessions.pickUp(actor, id),
      [],
      { 409: { description: "Not in the queue (any more): someone else picked it up" } },
    ),
    operation(
      "TransferChatSession",
      "TransferTo/:toAssociate",
      "Offer the caller's chat to another user; if it is not the caller's, nothing happens",
      ({ actor, id, to }) => sessions.transfer(actor, id, to),
      [
        pathTextParameter(
          "toAssociate",
          "Associate username or associate id to send the session to",
        ),
      ],
      { 400: { description: "That user cannot respond in this topic" } },
    ),
    operation(
      "AcceptChatSessionTransfer",
      "AcceptTransfer",
      "Accept a transfer offered to the caller: the chat becomes theirs",
      ({ actor, id }) => sessions.acceptTransfer(actor, id),
      [],
      { 409: { description: "No transfer is waiting for the caller" } },
    ),
    operation(
      "RejectChatSessionTransfer",
      "RejectTransfer",
      "Decline a transfer offered to the caller; the chat stays with its user",
      ({ actor, id }) => sessions.rejectTransfer(actor, id),
      [],
      { 409: { description: "No transfer is waiting for the caller" } },
    ),
    operation(
      "ResetChatSession",
      "Reset",
      "Put an ongoing chat back in the queue (its user, a topic manager or an administrator)",
      ({ actor, id }) => sessions.reset(actor, id),
      [],
      { 409: { description: "Not an ongoing chat" } },
    ),
  ];
}
