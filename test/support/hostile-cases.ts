/** The fixed list of hostile inputs test/hostile.test.ts sends (one entry per input). */
export const SAVE = "/api/v1/Presence/SaveAll";
const AGENTS_SAVE = "/api/v1/Agents/Chat/SaveChatPresence";
const SOAP11 = "/Remote/Services86/Chat.svc";
export const SOAP12 = "/Remote/Services88/Chat.svc";

const soap12 = (body: string) =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`;
const laughs = [
  '<!ENTITY lol "lol">',
  ...Array.from(
    { length: 9 },
    (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`,
  ),
].join("");
const quadratic = `<!DOCTYPE x [<!ENTITY a "${"x".repeat(100_000)}">]><x>${"&a;".repeat(10_000)}</x>`;
const deepJson = (n: number) => "[".repeat(n) + "]".repeat(n);

export interface Hostile {
  name: string;
  path: string;
  type: string;
  body: () => string | Buffer;
  status: number;
  /** The registry code (REST) or a pattern of the fault text (SOAP). */
  expect: string | RegExp;
  headers?: Record<string, string>;
}

export const CASES: Hostile[] = [
  // Entities: refused at the DOCTYPE, before anything could be expanded or fetched.
  ...[
    ["external entity (XXE)", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'],
    ["billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [${laughs}]><lolz>&lol9;</lolz>`],
    ["quadratic blow-up", quadratic],
  ].flatMap(([name, xml]): Hostile[] => [
    {
      name: `REST ${name}`,
      path: SAVE,
      type: "application/xml",
      body: () => xml,
      status: 400,
      expect: "PRES_ERR_BAD_BODY",
    },
    {
      name: `SOAP 1.2 ${name}`,
      path: SOAP12,
      type: "application/soap+xml",
      body: () => xml.replace(/<x>.*<\/x>|<lolz>.*<\/lolz>/, (inner) => soap12(inner)),
      status: 400,
      expect: /DOCTYPE/,
    },
  ]),
  {
    name: "undeclared entities ×100,000",
    path: SAVE,
    type: "application/xml",
    body: () => `<x>${"&a;".repeat(100_000)}</x>`,
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  // Nesting.
  {
    name: "JSON arrays 10,000 deep",
    path: SAVE,
    type: "application/json",
    body: () => deepJson(10_000),
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  {
    name: "JSON objects 10,000 deep",
    path: AGENTS_SAVE,
    type: "application/json",
    body: () => `${'{"ChatPresence":'.repeat(10_000)}1${"}".repeat(10_000)}`,
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  {
    name: "XML 10,000 deep",
    path: SAVE,
    type: "application/xml",
    body: () => "<a>".repeat(10_000) + "</a>".repeat(10_000),
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  {
    name: "SOAP 1.1 10,000 deep",
    path: SOAP11,
    type: "text/xml",
    body: () =>
      `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${"<a>".repeat(10_000)}${"</a>".repeat(10_000)}</s:Body></s:Envelope>`,
    status: 500,
    expect: /nested deeper/,
  },
  {
    name: "form key 10,000 deep",
    path: AGENTS_SAVE,
    type: "application/x-www-form-urlencoded",
    body: () => `ChatPresence${"[0]".repeat(10_000)}=1`,
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  // Size.
  {
    name: "JSON body over the limit (2 MiB)",
    path: SAVE,
    type: "application/json",
    body: () => `[${" ".repeat(2 * 1024 * 1024)}]`,
    status: 413,
    expect: "PRES_ERR_TOO_LARGE",
  },
  {
    name: "SOAP body over the limit (2 MiB)",
    path: SOAP12,
    type: "application/soap+xml",
    body: () => soap12(" ".repeat(2 * 1024 * 1024)),
    status: 400,
    expect: /larger than the limit/,
  },
  {
    name: "huge array (150,000 numbers)",
    path: SAVE,
    type: "application/json",
    body: () => JSON.stringify(Array.from({ length: 150_000 }, (_, i) => i % 10)),
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  {
    name: "huge array (25,000 unknown users)",
    path: SAVE,
    type: "application/json",
    body: () =>
      JSON.stringify(
        Array.from({ length: 25_000 }, (_, i) => ({ UserId: 100_000 + i, Present: true })),
      ),
    status: 400,
    expect: "PRES_ERR_UNKNOWN_USER",
  },
  {
    name: "form flood (100,000 fields)",
    path: AGENTS_SAVE,
    type: "application/x-www-form-urlencoded",
    body: () => Array.from({ length: 100_000 }, (_, i) => `f${i}=1`).join("&"),
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  // Encodings and types.
  {
    name: "invalid UTF-8 (JSON)",
    path: SAVE,
    type: "application/json; charset=utf-8",
    body: () => Buffer.from([0x5b, 0xc3, 0x28, 0xff, 0x5d]),
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  {
    name: "invalid UTF-8 (SOAP)",
    path: SOAP12,
    type: "application/soap+xml; charset=utf-8",
    body: () =>
      Buffer.concat([Buffer.from(soap12("<x>")), Buffer.from([0xff, 0xfe]), Buffer.from("</x>")]),
    status: 400,
    expect: /not valid utf-8/,
  },
  {
    name: "unknown charset",
    path: SAVE,
    type: "application/json; charset=x-hostile",
    body: () => "[]",
    status: 415,
    expect: "PRES_ERR_MEDIA_TYPE",
  },
  {
    name: "UserId 2^31 (out of int32)",
    path: SAVE,
    type: "application/json",
    body: () => '[{"UserId":2147483648,"Present":true}]',
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  {
    name: "UserId -2^31-1",
    path: SAVE,
    type: "application/json",
    body: () => '[{"UserId":-2147483649,"Present":true}]',
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  {
    name: "UserId 1e400",
    path: SAVE,
    type: "application/json",
    body: () => '[{"UserId":1e400,"Present":true}]',
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  {
    name: "UserId as a 400-digit string",
    path: SAVE,
    type: "application/json",
    body: () => `[{"UserId":"${"9".repeat(400)}"}]`,
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  // Prototype keys are data, never the prototype (checked after the run as well).
  {
    name: "__proto__ / constructor keys (JSON)",
    path: SAVE,
    type: "application/json",
    body: () =>
      '[{"__proto__":{"Present":true,"polluted":1},"constructor":{"prototype":{"polluted":1}},"UserId":0}]',
    status: 400,
    expect: "PRES_ERR_UNKNOWN_USER",
  },
  {
    name: "__proto__ keys (form)",
    path: AGENTS_SAVE,
    type: "application/x-www-form-urlencoded",
    body: () =>
      "__proto__[polluted]=1&ChatPresence[0][__proto__][polluted]=1&ChatPresence[0][UserId]=0",
    status: 400,
    expect: "PRES_ERR_UNKNOWN_USER",
  },
  {
    name: "__proto__ keys (XML)",
    path: SAVE,
    type: "application/xml",
    body: () =>
      "<ArrayOfChatPresence><ChatPresence><__proto__><polluted>1</polluted></__proto__><UserId>0</UserId></ChatPresence></ArrayOfChatPresence>",
    status: 400,
    expect: "PRES_ERR_UNKNOWN_USER",
  },
];
