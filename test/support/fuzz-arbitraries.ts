/** Generators for test/fuzz.test.ts: bodies, envelopes, names and values, plain and mutated. */
import fc from "fast-check";

export const NS = (v: string) => `http://www.superoffice.net/ws/crm/NetServer/Services${v}`;
export const ENVELOPES = [
  "http://www.w3.org/2003/05/soap-envelope",
  "http://schemas.xmlsoap.org/soap/envelope/",
  "urn:other",
];
export const OPERATIONS = [
  "GetChatPresence",
  "SaveChatPresence",
  "IsWithinOpeningHours",
  "AuthenticateUsernamePassword",
  "GetChatTopicEntity",
  "Nope",
];
export const TYPES = [
  "application/json",
  "text/json",
  "application/xml",
  "text/xml",
  "application/soap+xml",
  "application/x-www-form-urlencoded",
  "text/plain",
  "multipart/form-data; boundary=x",
  "",
  "application/json-patch+json",
];
export const CHARSETS = [
  "",
  "; charset=utf-8",
  "; charset=UTF-16LE",
  "; charset=iso-8859-1",
  "; charset=x-nonsense",
  '; charset="utf-8"',
];

export const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom("0", "-1", "2147483648", "1e400", "true", "null", "883", "574", "1"),
);
export const scalar = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  text,
  fc.bigInt().map(String),
);
export const fieldName = fc.oneof(
  fc.constantFrom(
    "UserId",
    "Present",
    "ChatPresence",
    "ChatTopicId",
    "ChatSessionId",
    "Username",
    "Password",
    "Url",
    "Secret",
    "Status",
    "TopicId",
    "__proto__",
    "constructor",
    "Name",
    "Role",
  ),
  fc.string({ maxLength: 8 }),
);
export const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, scalar, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(fieldName, tie("value"), { maxKeys: 5 }),
})).value;
export const xmlTree: fc.Arbitrary<string> = fc.letrec<{ node: string; element: string }>(
  (tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      text.map((t) => t.replace(/[<&]/g, "")),
      tie("element"),
    ),
    element: fc
      .tuple(
        fieldName.filter((n) => /^[A-Za-z_][\w.-]*$/.test(n)),
        fc.array(tie("node"), { maxLength: 3 }),
      )
      .map(([n, kids]) => `<${n}>${kids.join("")}</${n}>`),
  }),
).node;

/** Mutates a string: cut a slice, insert junk, or duplicate a part. */
export const mutated = (source: fc.Arbitrary<string>) =>
  fc
    .tuple(
      source,
      fc.nat(),
      fc.nat(),
      fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.constantFrom("{", "]", "<", "&", "\u0000", '"', "%"),
      ),
      fc.nat(2),
    )
    .map(([s, a, b, junk, kind]) => {
      const i = a % (s.length + 1);
      const j = i + (b % 8);
      if (kind === 0) return s.slice(0, i) + s.slice(j);
      if (kind === 1) return s.slice(0, i) + junk + s.slice(i);
      return s.slice(0, j) + s.slice(i, j) + s.slice(j);
    });

export const validJson = fc.constantFrom(
  '[{"UserId":883,"Present":true}]',
  '{"ChatPresence":[{"UserId":589,"Present":false}]}',
  '{"Username":"kuhn","Password":"x"}',
  '{"Url":"http://127.0.0.1:9/h","Secret":"0123456789abcdef0"}',
  '{"TopicId":574}',
);
export const form = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        "ChatPresence[0][UserId]",
        "ChatPresence[0].Present",
        "[0][Present]",
        "Username",
        "a[b][c]",
        "__proto__[x]",
        "x",
      ),
      text,
    ),
    { maxLength: 5 },
  )
  .map((pairs) =>
    pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"),
  );

export const body: fc.Arbitrary<string | Buffer> = fc.oneof(
  jsonValue.map((v) => JSON.stringify(v) ?? ""),
  mutated(validJson),
  xmlTree,
  mutated(xmlTree),
  form,
  mutated(form),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.constant(""),
);

export function envelope(ns: string, version: string, op: string, args: string, headers: string) {
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${ns}" xmlns:c="${NS(version)}"><s:Header>${headers}</s:Header><s:Body><c:${op}>${args}</c:${op}></s:Body></s:Envelope>`;
}
