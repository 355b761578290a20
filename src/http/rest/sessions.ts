import type { FastifyRequest } from "fastify";
import type { Actor } from "../../domain/presence.ts";
import type { ChatSessionRecord } from "../../domain/session.ts";
import type { Services } from "../../service/services.ts";
import {
  carrierResponse,
  pathIntParameter,
  pathTextParameter,
  SELECT_PARAMETER,
  sendsCarrier,
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
import { noContent, type ParameterSpec, type ResponseSpec, type RouteSpec } from "../route.ts";
import { chatSessionRoute as route } from "./groups.ts";
import { ODATA_PARAMETERS, ODATA_RESPONSE, odataSessions } from "./odata.ts";

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
  /** A POST on one session that answers it as it is after `run`. */
  const operation = (
    name: string,
    path: string,
    summary: string,
    run: (call: { actor: Actor; id: number; to: string }) => Promise<ChatSessionRecord>,
    extra: ParameterSpec[] = [],
    responses: Record<number, ResponseSpec> = {},
  ): RouteSpec =>
    route(`POST /api/v1/ChatSession/:chatSessionId/${path}`, name, summary, {
      parameters: [SESSION_ID, ...extra],
      responses: { 200: SESSION, 404: NOT_FOUND, ...responses },
      handler: sendsCarrier(SESSION_SCHEMA, async (request) =>
        sessionCarrier(
          await run({
            actor: request.actor,
            id: request.bound.int("chatSessionId"),
            to: request.bound.segment("toAssociate"),
          }),
        ),
      ),
    });
  const linked = (request: FastifyRequest, session: ChatSessionRecord) =>
    sessionWithLinks(session, request);

  return [
    route(
      "GET /api/v1/ChatSession/default",
      "DefaultChatSessionEntity",
      "A new ChatSessionEntity with default values (not saved)",
      {
        responses: { 200: SESSION },
        handler: sendsCarrier(SESSION_SCHEMA, async () =>
          sessionCarrier(sessions.defaultSession()),
        ),
      },
    ),
    route(
      "GET /api/v1/ChatSession",
      "GetAll",
      "OData list of chat sessions: all for administrators, the visible ones for others",
      {
        parameters: ODATA_PARAMETERS,
        responses: { 200: { description: "OK", schema: ODATA_RESPONSE } },
        handler: async (request) => odataSessions(request, await sessions.list(request.actor)),
      },
    ),
    route(
      "POST /api/v1/ChatSession",
      "PostChatSessionEntity",
      "Creates a new ChatSessionEntity in its topic's queue (or another pre-chat status)",
      {
        parameters: [SELECT_PARAMETER],
        body: sessionBody,
        responses: { 200: LINKED, 404: { description: "No such chat topic" } },
        handler: sendsCarrier(SESSION_WITH_LINKS, async (request) => {
          const input = newSessionInput(readSession(requireBody(request)));
          return linked(request, await sessions.create(input));
        }),
      },
    ),
    route(
      "GET /api/v1/ChatSession/:id",
      "GetChatSessionEntity",
      "Gets a ChatSessionEntity (its user, members of its topic, administrators)",
      {
        parameters: [ID, SELECT_PARAMETER],
        responses: { 200: LINKED, 404: NOT_FOUND },
        handler: sendsCarrier(SESSION_WITH_LINKS, async (request) =>
          linked(request, await sessions.get(request.actor, request.bound.int("id"))),
        ),
      },
    ),
    route(
      "PUT /api/v1/ChatSession/:id",
      "PutChatSessionEntity",
      "Updates a ChatSessionEntity: status (by the transition table), customer details, user",
      {
        parameters: [ID, SELECT_PARAMETER],
        body: sessionBody,
        responses: {
          200: LINKED,
          400: { description: "Bad request. Entity to save is not in request body." },
          404: NOT_FOUND,
          409: { description: "Not a status this session can go to, or it changed meanwhile" },
        },
        handler: sendsCarrier(SESSION_WITH_LINKS, async (request) => {
          const id = request.bound.int("id");
          const saved = readSession(requireBody(request));
          assertSameTopic(saved, (await sessions.get(request.actor, id)).topicId);
          return linked(request, await sessions.save(request.actor, id, saved.edit));
        }),
      },
    ),
    route(
      "DELETE /api/v1/ChatSession/:id",
      "DeleteChatSessionEntity",
      "Deletes the ChatSessionEntity (topic managers and administrators)",
      {
        parameters: [ID],
        responses: { 204: { description: "ChatSessionEntity deleted." }, 404: NOT_FOUND },
        handler: noContent((request) => sessions.delete(request.actor, request.bound.int("id"))),
      },
    ),
    route(
      "GET /api/v1/ChatSession/ForCurrentUser",
      "ChatSessionsForUser",
      "Sessions in the caller's topics (any right), assigned to them or offered to them",
      {
        responses: { 200: carrierResponse(SESSION_LIST) },
        handler: sendsCarrier(SESSION_LIST, async (request) =>
          (await sessions.forUser(request.actor)).map(sessionCarrier),
        ),
      },
    ),
    route(
      "POST /api/v1/ChatSession/Pickup",
      "PickUpFirstChatSession",
      "Answer the oldest queued session in a topic where the caller can respond; null if none",
      {
        responses: { 200: { ...SESSION, description: "The session picked up, or null" } },
        handler: sendsCarrier(SESSION_SCHEMA, async (request) => {
          const picked = await sessions.pickUpFirst(request.actor);
          return picked && sessionCarrier(picked);
        }),
      },
    ),
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
