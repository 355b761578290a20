/**
 * IsOpen / IsWithinOpeningHours on REST, Agents and SOAP: the same answer from each, with the
 * clock set to instants around the 2026 daylight-saving switches in Oslo (29 March and
 * 25 October). The rule itself is unit-tested in test/opening-hours.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it, mock } from "node:test";
import { WEEKDAYS } from "../src/domain/opening-hours.ts";
import { ADMIN, agents, assertError, call, KUHN } from "./support/chat.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

describe("IsOpen / IsWithinOpeningHours on every protocol", () => {
  let server: TestServer;
  let topicId: number;
  before(async () => {
    server = await startTestServer();
    const days = Object.fromEntries(
      WEEKDAYS.flatMap((d) => [
        [`${d}Enabled`, true],
        [`${d}Start`, "08:00:00"],
        [`${d}Stop`, "16:00:00"],
      ]),
    );
    const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic", {
      Name: "Oslo desk",
      OpeningHoursEnabled: true,
      OpeningHours: { TzLocation: { TZLocationCode: "Europe/Oslo" }, ...days },
    });
    topicId = created.body.ChatTopicId;
    await call(server, ADMIN, "POST", `/api/v1/ChatTopic/${topicId}/UserAgent`, {
      User: { UserName: "kuhn" },
      CanListen: true,
    });
  });
  after(async () => {
    mock.timers.reset();
    await server.close();
  });

  async function soapIsOpen(id: number): Promise<string> {
    const ticket = await server.services.auth.issue("ticket", 1);
    const ns = "http://www.superoffice.net/ws/crm/NetServer/Services88";
    const xml = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><Credentials xmlns="${ns}"><Ticket>${ticket}</Ticket></Credentials></s:Header><s:Body><IsWithinOpeningHours xmlns="${ns}"><ChatTopicId>${id}</ChatTopicId></IsWithinOpeningHours></s:Body></s:Envelope>`;
    const response = await server.fetch("/Remote/Services88/Chat.svc", {
      method: "POST",
      headers: { "content-type": "application/soap+xml; charset=utf-8" },
      body: xml,
    });
    return /<[\w:]*Response[^>]*>(true|false)</.exec(await response.text())?.[1] ?? "no answer";
  }

  async function allAnswers(at: string) {
    mock.timers.enable({ apis: ["Date"], now: new Date(at) });
    try {
      const rest = await call(server, KUHN, "GET", `/api/v1/ChatTopic/${topicId}/IsOpen`);
      const agent = await agents(server, KUHN, "IsWithinOpeningHours", { ChatTopicId: topicId });
      return [rest.body, agent.body, await soapIsOpen(topicId)];
    } finally {
      mock.timers.reset();
    }
  }

  it("agree on the Sunday DST starts in Oslo", async () => {
    assert.deepEqual(await allAnswers("2026-03-29T06:30:00Z"), [true, true, "true"]);
    assert.deepEqual(await allAnswers("2026-03-29T05:30:00Z"), [false, false, "false"]);
  });

  it("agree on the Sunday DST ends in Oslo", async () => {
    assert.deepEqual(await allAnswers("2026-10-25T06:30:00Z"), [false, false, "false"]);
    assert.deepEqual(await allAnswers("2026-10-25T07:30:00Z"), [true, true, "true"]);
  });

  it("a topic without hours is open; an unknown topic is not open, the same everywhere", async () => {
    assert.equal((await call(server, KUHN, "GET", "/api/v1/ChatTopic/128/IsOpen")).body, true);
    const rest = await call(server, KUHN, "GET", "/api/v1/ChatTopic/999/IsOpen");
    assert.deepEqual([rest.status, rest.body], [200, false]);
    const agent = await agents(server, KUHN, "IsWithinOpeningHours", { ChatTopicId: 999 });
    assert.deepEqual([agent.status, agent.body], [200, false]);
    assert.equal(await soapIsOpen(999), "false");
    assertError(
      await call(server, KUHN, "GET", "/api/v1/ChatTopic/x/IsOpen"),
      400,
      "PRES_ERR_BAD_PATH",
    );
  });
});
