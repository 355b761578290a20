/**
 * Helpers for the Agents flavour (POST /api/v1/Agents/Chat/<Name>): request carriers and one
 * route shape. Agents has no HTTP semantics: a missing entity, or a session someone else
 * took first, is a null result; rights failures and bad input are errors as on REST.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { PresenceError } from "../../domain/errors.ts";
import { carrierResponse, SELECT_PARAMETER, sendCarrier } from "../carriers/render.ts";
import { BODY_TYPES, readBody } from "../codecs/body.ts";
import type { ObjectSchema, Schema } from "../codecs/schema.ts";
import type { ParameterSpec, RouteSpec } from "../route.ts";

export const int = (description: string): Schema => ({
  type: "integer",
  format: "int32",
  description,
});
export const text = (description: string): Schema => ({ type: "string", description });
export const bool = (description: string): Schema => ({ type: "boolean", description });

export function requestSchema(name: string, properties: Record<string, Schema>): ObjectSchema {
  return { type: "object", title: `Chat_${name}Request`, properties };
}

interface AgentsRoute<T> {
  name: string;
  summary: string;
  /** The request carrier; omitted for operations without a body. */
  body?: ObjectSchema;
  query?: ParameterSpec[];
  /** The response carrier; omitted for operations answering 204. */
  response?: Schema;
  run: (request: FastifyRequest, input: T) => Promise<unknown>;
}

/** One Agents operation: bind the body, run it (missing → null), send the carrier or 204. */
export function agentsRoute<T = Record<string, never>>(spec: AgentsRoute<T>): RouteSpec {
  const { response } = spec;
  return {
    method: "POST",
    url: `/api/v1/Agents/Chat/${spec.name}`,
    operationId: `v1ChatAgent_${spec.name}`,
    summary: spec.summary,
    tag: "Chat_Agent",
    auth: true,
    parameters: [...(spec.query ?? []), ...(response ? [SELECT_PARAMETER] : [])],
    body: spec.body && { schema: spec.body, required: true, contentTypes: BODY_TYPES },
    responses: response
      ? {
          200: carrierResponse(response, "OK (null when the entity does not exist)"),
        }
      : { 204: { description: "No Content" } },
    async handler(request: FastifyRequest, reply: FastifyReply) {
      const input = (spec.body ? readBody(request, spec.body) : {}) as T;
      const result = await orNull(() => spec.run(request, input));
      if (!response) return reply.code(204).send();
      return sendCarrier(request, reply, result ?? null, response);
    },
  };
}

/** Errors an Agents caller gets as a null result: the entity is missing, or was taken. */
const NULL_ON_AGENTS = new Set([
  "PRES_ERR_NO_TOPIC",
  "PRES_ERR_NO_SESSION",
  "PRES_ERR_NO_USER",
  "PRES_ERR_NO_MEMBER",
  "PRES_ERR_NOT_IN_QUEUE",
  "PRES_ERR_AT_CAPACITY",
  "PRES_ERR_NOT_ONGOING",
  "PRES_ERR_NO_TRANSFER",
  "PRES_ERR_CHANGED",
]);

/** Runs an Agents operation, answering null where REST would say 404 or lost-race 409. */
export async function orNull<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PresenceError && NULL_ON_AGENTS.has(error.code)) return null;
    throw error;
  }
}
