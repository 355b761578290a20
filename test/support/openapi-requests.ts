/**
 * Requests built from the OpenAPI document itself: path and required query parameters, and
 * bodies sampled from the schemas, filled with seed values by parameter or property name.
 */
import { PASSWORD } from "./server.ts";

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is read as plain JSON
export type Json = any;

/** Seed values by parameter or property name (lower case). */
export const VALUES: Record<string, unknown> = {
  id: 0, // by path, see pathValue
  chattopicid: 574,
  topicid: 574,
  chattopicentityid: 574,
  chatsessionid: 1,
  chatsessionentityid: 1,
  sessionid: 1,
  userid: 883,
  associateid: 883,
  username: "kuhn",
  toassociate: "ocon",
  url: "http://127.0.0.1:9/hook",
  secret: "0123456789abcdef0123",
  eventtypes: ["presence", "routing"],
  password: PASSWORD,
  present: true,
  name: "Matrix topic",
  role: "agent",
  canrespond: true,
  canlisten: true,
};

/** Bodies that the schema samples cannot guess, by route. */
export const BODIES: Record<string, unknown> = {
  "POST /api/v1/ChatUser": { Username: "newbie", Password: "newbie-pw-1", Role: "agent" },
  // A new session waits in the queue: it names its topic, never a user.
  "POST /api/v1/ChatSession": { TopicId: 574 },
  // A message needs its Type and text, which no schema sample can guess.
  "POST /api/v1/ChatSession/{chatSessionId}/Messages": { Type: "ToCustomer", Message: "Matrix" },
  // Routing settings within their ranges (0 seconds is no offer time); Pull changes nothing.
  "PUT /api/v1/ChatTopic/{id}/Routing": { Mode: "Pull", OfferSeconds: 30 },
  "POST /api/v1/Agents/Chat/AddChatMessage": {
    ChatSessionId: 1,
    Message: { Type: "ToCustomer", Message: "Matrix" },
  },
};

export function pathValue(path: string, name: string, webhookId: number): string {
  if (name !== "id") return String(VALUES[name.toLowerCase()] ?? 1);
  if (path.startsWith("/api/v1/Webhooks")) return String(webhookId);
  if (path.startsWith("/api/v1/ChatTopic")) return "574";
  if (path.startsWith("/api/v1/ChatSession")) return "1";
  if (path.startsWith("/api/v1/ChatUser")) return "883";
  return "1";
}

export function sample(doc: Json, schema: Json, depth = 0, name = ""): unknown {
  if (!schema || depth > 4) return undefined;
  if (schema.$ref)
    return sample(doc, doc.components.schemas[schema.$ref.split("/").pop()], depth, name);
  const known = VALUES[name.toLowerCase()];
  if (known !== undefined && name !== "Id" && schema.type !== "object") return known;
  if (schema.type === "array") {
    const item = sample(doc, schema.items, depth + 1);
    return item === undefined ? [] : [item];
  }
  if (schema.type === "integer") return 0;
  if (schema.type === "boolean") return false;
  if (schema.type === "string") return undefined; // left out: strings carry formats (times, statuses)
  const out: Record<string, unknown> = {};
  for (const [property, child] of Object.entries<Json>(schema.properties ?? {}))
    out[property] = sample(doc, child, depth + 1, property);
  if ("Present" in out) out.UserId = 883;
  return out;
}

export interface Built {
  method: string;
  url: string;
  body?: string;
}

export function build(doc: Json, method: string, path: string, op: Json, webhookId: number): Built {
  let url = path.replace(/\{(\w+)\}/g, (_, name) => pathValue(path, name, webhookId));
  const query = (op.parameters ?? []).filter((p: Json) => p.in === "query" && p.required);
  if (query.length > 0)
    url += `?${query.map((p: Json) => `${p.name}=${VALUES[p.name.toLowerCase()] ?? 574}`).join("&")}`;
  const schema = op.requestBody?.content?.["application/json"]?.schema;
  const body = BODIES[`${method} ${path}`] ?? (schema ? sample(doc, schema) : undefined);
  return { method, url, body: body === undefined ? undefined : JSON.stringify(body) };
}
