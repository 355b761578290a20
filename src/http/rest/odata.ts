/**
 * The OData list routes (GET /ChatSession, GET /ChatTopic/{id}/Sessions) as a small subset of
 * SuperOffice's archive query language, answered in the slim JSON shape:
 * `$select`, `$filter` (col op literal, joined by `and`; ops eq ne lt le gt ge), `$orderBy`
 * (col [asc|desc], …), `$top` and `$skip`. Anything else is refused with a clear 400.
 */
import type { FastifyRequest } from "fastify";
import { PresenceError } from "../../domain/errors.ts";
import type { ChatSessionRecord } from "../../domain/session.ts";
import type { ObjectSchema, Schema } from "../codecs/schema.ts";
import type { ParameterSpec } from "../route.ts";

type Value = string | number | boolean | null;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The ChatSession archive columns this server offers. */
const COLUMNS: Record<string, (s: ChatSessionRecord) => Value> = {
  chatSessionId: (s) => s.id,
  topicId: (s) => s.topicId,
  status: (s) => s.status,
  associateId: (s) => s.user?.id ?? 0,
  associateName: (s) => s.user?.username ?? "",
  associateFullName: (s) => s.user?.displayName ?? "",
  transferToAssociateId: (s) => s.transferTo?.id ?? 0,
  customerName: (s) => s.customer.name,
  customerEmail: (s) => s.customer.email,
  customerPhone: (s) => s.customer.phone,
  customerCompanyName: (s) => s.customer.companyName,
  firstMessage: (s) => s.firstMessage,
  lastMessage: (s) => s.lastMessage,
  whenRequested: (s) => iso(s.whenRequested),
  whenStarted: (s) => iso(s.whenStarted),
  whenEnded: (s) => iso(s.whenEnded),
  initialQueuePos: (s) => s.initialQueuePos,
  rating: (s) => s.rating,
};

const BY_LOWER = new Map(Object.keys(COLUMNS).map((name) => [name.toLowerCase(), name]));

export const ODATA_PARAMETERS: ParameterSpec[] = [
  {
    name: "$select",
    in: "query",
    description: `Columns to return (default all): ${Object.keys(COLUMNS).join(", ")}`,
    schema: { type: "string" },
  },
  {
    name: "$filter",
    in: "query",
    description:
      "column op literal [and …]; op is eq, ne, lt, le, gt or ge; strings in single quotes",
    schema: { type: "string" },
  },
  {
    name: "$orderBy",
    in: "query",
    description: "column [asc|desc], … (default chatSessionId)",
    schema: { type: "string" },
  },
  {
    name: "$top",
    in: "query",
    description: "Rows to return",
    schema: { type: "integer", format: "int32" },
  },
  {
    name: "$skip",
    in: "query",
    description: "Rows to skip",
    schema: { type: "integer", format: "int32" },
  },
];

export const ODATA_RESPONSE: ObjectSchema = {
  type: "object",
  title: "ODataSlimResponse",
  description: "Archive rows as flat objects: PrimaryKey, EntityName and the selected columns",
  properties: {
    "odata.metadata": { type: "string" },
    "odata.nextLink": { type: "string", description: "The next page when $top cut the list" },
    value: { type: "array", items: { type: "object", properties: {} } as Schema },
  },
};

function bad(name: string, detail: string): PresenceError {
  return new PresenceError("PRES_ERR_BAD_QUERY", { name, detail });
}

function column(name: string, parameter: string): string {
  const found = BY_LOWER.get(name.trim().toLowerCase());
  if (!found) throw bad(parameter, `unknown column "${name.trim()}"`);
  return found;
}

function literal(text: string): Value {
  if (/^'.*'$/s.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  if (text === "null") return null;
  throw bad("$filter", `${text} is not a literal ('text', a number, true, false or null)`);
}

const OPS: Record<string, (a: Value, b: Value) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => a !== null && b !== null && a < b,
  le: (a, b) => a !== null && b !== null && a <= b,
  gt: (a, b) => a !== null && b !== null && a > b,
  ge: (a, b) => a !== null && b !== null && a >= b,
};

function parseFilter(filter: string): ((s: ChatSessionRecord) => boolean)[] {
  return filter.split(/\s+and\s+/i).map((term) => {
    const match = /^\s*(\w+)\s+(\w+)\s+(.+?)\s*$/s.exec(term);
    const op = OPS[match?.[2]?.toLowerCase() ?? ""];
    if (!match || !op) throw bad("$filter", `"${term.trim()}" is not "column op literal"`);
    const get = COLUMNS[column(match[1], "$filter")];
    const value = literal(match[3]);
    return (s) => op(get(s), value);
  });
}

function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** Filters, sorts, pages and projects sessions as the query asks. */
export function odataSessions(request: FastifyRequest, sessions: ChatSessionRecord[]) {
  const filter = request.bound.text("$filter");
  let rows = sessions;
  if (filter?.trim()) {
    const tests = parseFilter(filter);
    rows = rows.filter((s) => tests.every((test) => test(s)));
  }
  const orderBy = request.bound.text("$orderBy");
  if (orderBy?.trim()) {
    const keys = orderBy.split(",").map((part) => {
      const [name, direction = "asc"] = part.trim().split(/\s+/);
      if (!/^(asc|desc)$/i.test(direction))
        throw bad("$orderBy", `"${direction}" is not asc or desc`);
      return { get: COLUMNS[column(name, "$orderBy")], sign: /^desc$/i.test(direction) ? -1 : 1 };
    });
    rows = [...rows].sort((a, b) => {
      for (const key of keys) {
        const order = compare(key.get(a), key.get(b)) * key.sign;
        if (order !== 0) return order;
      }
      return a.id - b.id;
    });
  }
  const skip = request.bound.optionalInt("$skip") ?? 0;
  const top = request.bound.optionalInt("$top") ?? null;
  if (skip < 0) throw bad("$skip", "expected 0 or more");
  if (top !== null && top < 0) throw bad("$top", "expected 0 or more");
  const page = rows.slice(skip, top === null ? undefined : skip + top);
  const select = request.bound.text("$select");
  const names = select?.trim()
    ? select.split(",").map((name) => column(name, "$select"))
    : Object.keys(COLUMNS);
  const more = top !== null && skip + top < rows.length;
  const base = request.url.split("?")[0];
  const next = new URLSearchParams(request.query as Record<string, string>);
  next.set("$skip", String(skip + (top ?? 0)));
  return {
    "odata.metadata": "",
    "odata.nextLink": more ? `${base}?${next.toString()}` : null,
    value: page.map((s) => ({
      PrimaryKey: s.id,
      EntityName: "chatsession",
      ...Object.fromEntries(names.map((name) => [name, COLUMNS[name](s)])),
    })),
  };
}
