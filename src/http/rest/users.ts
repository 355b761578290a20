/**
 * /api/v1/ChatUser: the chat user directory for administrators (an extension; SuperOffice
 * keeps its users elsewhere). List, get, create, update, delete and password reset.
 */
import type { FastifyRequest } from "fastify";
import { PresenceError } from "../../domain/errors.ts";
import type { ChatUser, Role } from "../../domain/model.ts";
import { assertAdmin } from "../../domain/rights.ts";
import type { Services } from "../../service/services.ts";
import { BODY_TYPES, readBody, readOptionalBody } from "../codecs/body.ts";
import { INT32, type ObjectSchema, propertyOf, type Schema } from "../codecs/schema.ts";
import { noContent, type ParameterSpec, type RouteSpec, routeGroup } from "../route.ts";

const route = routeGroup({ tag: "ChatUser", operationPrefix: "ChatUser_", extension: true });
const int = (description: string): Schema => ({ type: "integer", format: "int32", description });
const text = (description: string): Schema => ({ type: "string", description });

const PRESENCE_TTL =
  "Seconds a Present=true lasts without a heartbeat or save; 0: the server's --presence-ttl";
const MAX_CHATS =
  "Extension: the most ongoing chats (CustomerLast or UserLast) the user may have in all; a pick-up, accepted transfer or reassignment beyond it is refused (409 PRES_ERR_AT_CAPACITY). 0: no limit (the default)";
const USER_SCHEMA: ObjectSchema = {
  type: "object",
  title: "ChatUser",
  description: "A chat user (UserId is the UserId of ChatPresence and the AssociateId of carriers)",
  properties: {
    UserId: int("The user's id"),
    Username: text("Sign-in name, unique regardless of case"),
    DisplayName: text("Name shown in presence"),
    Role: text("admin or agent"),
    Present: { type: "boolean", description: "Current chat presence" },
    HasPassword: {
      type: "boolean",
      description: "False for a user who signs in with tickets only",
    },
    PresenceTtl: int(PRESENCE_TTL),
    MaxChats: int(MAX_CHATS),
  },
};
const USER_LIST: Schema = { type: "array", items: USER_SCHEMA };

const NEW_USER: ObjectSchema = {
  type: "object",
  title: "ChatUserCreate",
  properties: {
    UserId: int("The id to give the user; 0 or absent for the next free one"),
    Username: text("Sign-in name (required, no spaces)"),
    DisplayName: text("Name shown in presence; the username when empty"),
    Role: text("admin or agent (default agent)"),
    Password: text("At least 8 characters; absent for a user who signs in with tickets only"),
    MaxChats: int(MAX_CHATS),
  },
};
const USER_CHANGE: ObjectSchema = {
  type: "object",
  title: "ChatUserUpdate",
  description: "Properties left out keep their values",
  properties: {
    Username: text("New sign-in name"),
    DisplayName: text("New display name"),
    Role: text("admin or agent"),
    PresenceTtl: int(PRESENCE_TTL),
    MaxChats: int(MAX_CHATS),
  },
};
const PASSWORD: ObjectSchema = {
  type: "object",
  title: "ChatUserPassword",
  properties: {
    Password: text("The new password (at least 8 characters); absent to have one made up"),
  },
};

const ID: ParameterSpec = { name: "id", in: "path", description: "The user's id", schema: int("") };
const FORBIDDEN = { description: "Not an administrator" };
const NOT_FOUND = { description: "No such user" };

function userCarrier(user: ChatUser) {
  return {
    UserId: user.id,
    Username: user.username,
    DisplayName: user.displayName,
    Role: user.role,
    Present: user.present,
    HasPassword: user.passwordHash !== null,
    PresenceTtl: user.presenceTtl ?? 0,
    MaxChats: user.maxChats,
  };
}

function role(value: string | null | undefined, fallback?: Role): Role | undefined {
  if (value === null || value === undefined || value === "") return fallback;
  const lower = value.trim().toLowerCase();
  if (lower === "admin" || lower === "agent") return lower;
  throw new PresenceError("PRES_ERR_BAD_BODY", {
    detail: `Role: expected admin or agent, got "${value}"`,
  });
}

/** The optional body of a password reset. */
function passwordOf(request: FastifyRequest): string | null {
  return readOptionalBody<{ Password: string | null }>(request, PASSWORD)?.Password ?? null;
}

export function userRoutes({ users }: Services): RouteSpec[] {
  const base = "/api/v1/ChatUser";
  return [
    route(`GET ${base}`, "List", "All chat users (administrators)", {
      responses: { 200: { description: "OK", schema: USER_LIST }, 403: FORBIDDEN },
      handler: async (request) => (await users.list(request.actor)).map(userCarrier),
    }),
    route(`GET ${base}/:id`, "Get", "One chat user (administrators)", {
      parameters: [ID],
      responses: {
        200: { description: "OK", schema: USER_SCHEMA },
        403: FORBIDDEN,
        404: NOT_FOUND,
      },
      handler: async (request) =>
        userCarrier(await users.get(request.actor, request.bound.int("id"))),
    }),
    route(`POST ${base}`, "Create", "Create a chat user (administrators); 201 with Location", {
      body: { schema: NEW_USER, required: true, contentTypes: BODY_TYPES },
      responses: {
        201: { description: "Created", schema: USER_SCHEMA },
        403: FORBIDDEN,
        409: { description: "The username or id is taken" },
      },
      async handler(request, reply) {
        const body = readBody(request, NEW_USER) as Record<string, string | number | null>;
        if (!body.Username) {
          throw new PresenceError("PRES_ERR_BAD_BODY", { detail: "Username: required" });
        }
        const user = await users.create(request.actor, {
          id: (body.UserId as number) || undefined,
          username: body.Username as string,
          displayName: (body.DisplayName as string | null) ?? undefined,
          role: role(body.Role as string | null, "agent") as Role,
          password: (body.Password as string | null) ?? undefined,
          maxChats: body.MaxChats as number,
        });
        reply.code(201).header("location", `${base}/${user.id}`);
        return userCarrier(user);
      },
    }),
    route(
      `PUT ${base}/:id`,
      "Update",
      "Change a chat user's username, display name or role (administrators)",
      {
        parameters: [ID],
        body: { schema: USER_CHANGE, required: true, contentTypes: BODY_TYPES },
        responses: {
          200: { description: "OK", schema: USER_SCHEMA },
          403: FORBIDDEN,
          404: NOT_FOUND,
        },
        async handler(request) {
          const raw = readBody(request, USER_CHANGE) as {
            Username: string | null;
            DisplayName: string | null;
            Role: string | null;
            PresenceTtl: number;
            MaxChats: number;
          };
          const given = (name: string) =>
            propertyOf((request.body as { value: unknown }).value, name) !== undefined;
          const user = await users.update(request.actor, request.bound.int("id"), {
            username: given("Username") ? (raw.Username ?? "") : undefined,
            displayName: given("DisplayName") ? (raw.DisplayName ?? undefined) : undefined,
            role: given("Role") ? role(raw.Role) : undefined,
            presenceTtl: given("PresenceTtl") ? raw.PresenceTtl : undefined,
            maxChats: given("MaxChats") ? raw.MaxChats : undefined,
          });
          return userCarrier(user);
        },
      },
    ),
    route(
      `DELETE ${base}/:id`,
      "Delete",
      "Delete a chat user; their ongoing chats go back to the queue (administrators)",
      {
        parameters: [ID],
        responses: { 204: { description: "Deleted" }, 403: FORBIDDEN, 404: NOT_FOUND },
        handler: noContent((request) => users.delete(request.actor, request.bound.int("id"))),
      },
    ),
    route(
      `POST ${base}/:id/Password`,
      "ResetPassword",
      "Set a new password, or have one made up (returned once); signs the user out everywhere (administrators)",
      {
        parameters: [ID],
        body: { schema: PASSWORD, required: false, contentTypes: BODY_TYPES },
        responses: {
          200: { description: "The made-up password", schema: PASSWORD },
          204: { description: "The given password is set" },
          403: FORBIDDEN,
          404: NOT_FOUND,
        },
        async handler(request, reply) {
          const given = passwordOf(request);
          const password = await users.resetPassword(request.actor, request.bound.int("id"), given);
          return given ? reply.code(204).send() : { Password: password };
        },
      },
    ),
  ];
}

/** DELETE /api/v1/ChatUser/{id}/Credentials: sign a user out everywhere (administrators). */
export function credentialRoutes(services: Services): RouteSpec[] {
  return [
    route(
      "DELETE /api/v1/ChatUser/:id/Credentials",
      "RevokeCredentials",
      "Revoke every ticket, bearer token and browser session of a user (administrators); passwords stay",
      {
        parameters: [
          {
            name: "id",
            in: "path",
            description: "The id of the chat user",
            required: true,
            schema: INT32,
            style: "plain",
            minimum: 1,
            maxDigits: 10,
          },
        ],
        responses: {
          204: { description: "Revoked" },
          403: { description: "Administrators only" },
          404: { description: "No such chat user" },
        },
        handler: noContent(async (request) => {
          // Before the id is read: to anyone else every id is the same 403.
          assertAdmin(request.actor);
          await services.users.revokeCredentials(request.actor, request.bound.int("id"));
        }),
      },
    ),
  ];
}
