/**
 * SOAP GetChatPresence (1,000 users) and SaveChatPresence (10 entries, each save really
 * changing presence) on the app's Services88 Chat.svc, beside the `soap` package's own server
 * over the same WSDL and service layer (target ≥ 20x), and beside the app's own REST
 * equivalents, GetAll and SaveAll (target ≥ 0.5x). SOAP 1.1 envelopes, as generated clients send.
 */
import type { CaseSpec, Suite } from "../lib/harness.ts";
import type { ServerInfo, ServerProcess } from "../lib/processes.ts";

const CHAT = "/Remote/Services88/Chat.svc";
const NS = "http://www.superoffice.net/ws/crm/NetServer/Services88";
const USERS = 1000;
const BATCH = 10;

interface Info extends ServerInfo {
  ticket: string;
  users: number;
}

function envelope(ticket: string, body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="${NS}"><s:Header><c:Credentials><c:Ticket>${ticket}</c:Ticket></c:Credentials></s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

function soapHeaders(operation: string): Record<string, string> {
  return {
    "content-type": "text/xml; charset=utf-8",
    soapaction: `"${NS}/Chat/${operation}"`,
  };
}

/**
 * Saves that always change what is stored: batches of ten users in turn, each round setting the
 * opposite of the round before. Each sequence owns its users, so two sequences on one server
 * never undo each other's work.
 */
function saves(firstUser: number, users: number) {
  const batches = Math.floor(users / BATCH);
  let next = 0;
  return () => {
    const batch = next % batches;
    const present = Math.floor(next / batches) % 2 === 0;
    next++;
    const first = firstUser + batch * BATCH;
    return Array.from({ length: BATCH }, (_, i) => ({ UserId: first + i, Present: present }));
  };
}

function saveEnvelope(ticket: string, sequence: ReturnType<typeof saves>) {
  return () => {
    const items = sequence()
      .map(
        (e) =>
          `<c:ChatPresence><c:UserId>${e.UserId}</c:UserId><c:Present>${e.Present}</c:Present></c:ChatPresence>`,
      )
      .join("");
    return envelope(
      ticket,
      `<c:SaveChatPresence><c:ChatPresence>${items}</c:ChatPresence></c:SaveChatPresence>`,
    );
  };
}

/** Fails the suite early when a server answers anything but a successful call. */
async function check(server: ServerProcess<Info>, spec: CaseSpec, expect: RegExp) {
  const response = await fetch(server.info.url + spec.path, {
    method: spec.method ?? "GET",
    headers: spec.headers,
    body: (spec.nextBody ? spec.nextBody() : spec.body) as RequestInit["body"],
  });
  const text = await response.text();
  if (!response.ok || !expect.test(text))
    throw new Error(`${spec.name}: ${response.status} ${text.slice(0, 300)}`);
}

export const soapSuite: Suite = {
  name: "soap",
  async run(ctx) {
    const args = ["--users", String(USERS), "--topics", "20"];
    const app = await ctx.spawn<Info>("app", "servers/app.ts", {
      args: [...args, "--log-level", ctx.options.logLevel],
      profile: true,
    });
    const lib = await ctx.spawn<Info>("soap package", "servers/soap-lib.ts", { args });
    const rest = { authorization: `SoTicket ${app.info.ticket}` };
    const half = USERS / 2;

    const libGet: CaseSpec = {
      name: "soap package GetChatPresence",
      server: lib,
      method: "POST",
      path: CHAT,
      headers: soapHeaders("GetChatPresence"),
      body: envelope(lib.info.ticket, "<c:GetChatPresence/>"),
    };
    const get: Omit<CaseSpec, "name"> = {
      server: app,
      method: "POST",
      path: CHAT,
      headers: soapHeaders("GetChatPresence"),
      body: envelope(app.info.ticket, "<c:GetChatPresence/>"),
    };
    const restGet: CaseSpec = {
      name: "REST GetAll",
      server: app,
      path: "/api/v1/Presence/GetAll",
      headers: { ...rest, accept: "application/json" },
    };
    // Users 1–500 are REST's to flip, 501–1000 SOAP's (on the soap package's server too).
    const libSave: CaseSpec = {
      name: "soap package SaveChatPresence",
      server: lib,
      method: "POST",
      path: CHAT,
      headers: soapHeaders("SaveChatPresence"),
      nextBody: saveEnvelope(lib.info.ticket, saves(half + 1, half)),
    };
    const soapSaves = saveEnvelope(app.info.ticket, saves(half + 1, half));
    const save: Omit<CaseSpec, "name"> = {
      server: app,
      method: "POST",
      path: CHAT,
      headers: soapHeaders("SaveChatPresence"),
      nextBody: soapSaves,
    };
    const restSaves = saves(1, half);
    const restSave: CaseSpec = {
      name: "REST SaveAll",
      server: app,
      method: "POST",
      path: "/api/v1/Presence/SaveAll",
      headers: { ...rest, "content-type": "application/json; charset=utf-8" },
      nextBody: () => JSON.stringify(restSaves()),
    };

    const presenceList = /<Chat:ChatPresence|<ChatPresence|ChatPresence>/;
    await check(lib, libGet, presenceList);
    await check(app, { name: "SOAP GetChatPresence", ...get }, /Succeeded[^>]*>true</);
    await check(lib, libSave, /SaveChatPresenceResponse/);
    await check(app, { name: "SOAP SaveChatPresence", ...save }, /Succeeded[^>]*>true</);

    ctx.note(
      `soap: ${USERS} users; SaveChatPresence and SaveAll of ${BATCH} entries, each changing presence; ` +
        `the soap package's server has its own SQLite file with the same directory; SOAP 1.1 envelopes`,
    );
    await ctx.measure(libGet, {
      name: "SOAP GetChatPresence",
      ...get,
      baseline: libGet.name,
      target: { minRatio: 20 },
    });
    await ctx.measure(restGet, {
      name: "SOAP GetChatPresence (vs REST)",
      ...get,
      baseline: restGet.name,
      target: { minRatio: 0.5 },
    });
    await ctx.measure(libSave, {
      name: "SOAP SaveChatPresence",
      ...save,
      baseline: libSave.name,
      target: { minRatio: 20 },
    });
    await ctx.measure(restSave, {
      name: "SOAP SaveChatPresence (vs REST)",
      ...save,
      baseline: restSave.name,
      target: { minRatio: 0.5 },
    });
  },
};
