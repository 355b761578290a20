/**
 * The OData list routes (GET /ChatSession, GET /ChatTopic/{id}/Sessions) as a small subset of
 * SuperOffice's archive query language, answered in the slim JSON shape:
 * `$select`, `$filter` (col op literal, joined by `and`; ops eq ne lt le gt ge), `$orderBy`
 * (col [asc|desc], …), `$top` and `$skip`, each at most MAX_ODATA_LENGTH characters. Anything
 * else is refused with a clear 400. Parsing is in odata-query.ts.
 */
import type { FastifyRequest } from "fastify";
import type { ChatSessionRecord } from "../../domain/session.ts";
import { INT32, type ObjectSchema, type Schema } from "../codecs/schema.ts";
import { queryValue } from "../params.ts";
import type { ParameterSpec } from "../route.ts";
import {
  badQuery,
  checkLength,
  MAX_ODATA_LENGTH,
  parseFilter,
  parseOrderBy,
  parseSelect,
  type Value,
} from "./odata-query.ts";

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
      "column op literal [and …]; op is eq, ne, lt, le, gt or ge; strings in single quotes" +
      ` (each OData parameter at most ${MAX_ODATA_LENGTH} characters)`,
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
    schema: INT32,
  },
  {
    name: "$skip",
    in: "query",
    description: "Rows to skip",
    schema: INT32,
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

/** A column by name, case-insensitively; unknown names are a 400 naming the parameter. */
function columnOf(parameter: string): (name: string) => string {
  return (name) => {
    const found = BY_LOWER.get(name.toLowerCase());
    if (!found) throw badQuery(parameter, `unknown column "${name}"`, `ukjent kolonne «${name}»`);
    return found;
  };
}

function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

const ODATA_NAMES = ODATA_PARAMETERS.map((parameter) => parameter.name);

/** Filters, sorts, pages and projects sessions as the query asks. */
export function odataSessions(request: FastifyRequest, sessions: ChatSessionRecord[]) {
  const limit = request.server.odataMaxLength;
  for (const name of ODATA_NAMES) checkLength(name, queryValue(request, name) ?? "", limit);
  let rows = sessions;
  const filter = request.bound.text("$filter");
  if (filter?.trim()) {
    const tests = parseFilter(filter, columnOf("$filter"), limit).map(({ column, test, value }) => {
      const get = COLUMNS[column];
      return (s: ChatSessionRecord) => test(get(s), value);
    });
    rows = rows.filter((s) => tests.every((test) => test(s)));
  }
  const orderBy = request.bound.text("$orderBy");
  if (orderBy?.trim()) {
    const keys = parseOrderBy(orderBy, columnOf("$orderBy"), limit).map(({ column, sign }) => ({
      get: COLUMNS[column],
      sign,
    }));
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
  if (skip < 0) throw badQuery("$skip", "expected 0 or more", "forventet 0 eller mer");
  if (top !== null && top < 0)
    throw badQuery("$top", "expected 0 or more", "forventet 0 eller mer");
  const page = rows.slice(skip, top === null ? undefined : skip + top);
  const select = request.bound.text("$select");
  const names = select?.trim()
    ? parseSelect(select, columnOf("$select"), limit)
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
