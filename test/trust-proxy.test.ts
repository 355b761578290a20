/**
 * --trust-proxy behind a real reverse proxy: the client address is the nearest X-Forwarded-For
 * hop not trusted, so a client that writes its own leftmost hops cannot dodge the per-address
 * sign-in throttle; X-Forwarded-Proto/-Host still address the WSDL.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { trustProxy } from "../src/cli/options.ts";
import { DEFAULT_THROTTLE } from "../src/service/throttle.ts";
import { cli, serve, stop, workspace } from "./support/cli.ts";
import { basic, PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

/** The address the proxy's own connections to the server come from. */
const PROXY_ADDRESS = "127.0.0.1";
const PUBLIC_HOST = "chat.example.com";

interface Answer {
  status: number;
  body: string;
}

/** A GET from a chosen loopback address (a distinct client), with the given headers. */
function get(port: number, path: string, headers: Record<string, string>, from: string) {
  return new Promise<Answer>((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port, path, headers, localAddress: from },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on("error", reject);
    request.end();
  });
}

/**
 * A reverse proxy as nginx is set up: it appends the peer it sees to X-Forwarded-For (what the
 * client sent stays in front) and states the public scheme and host.
 */
async function startReverseProxy(target: number) {
  const server = http.createServer((incoming, outgoing) => {
    const peer = incoming.socket.remoteAddress as string;
    const forwarded = incoming.headers["x-forwarded-for"];
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: target,
        method: incoming.method,
        path: incoming.url,
        localAddress: PROXY_ADDRESS,
        headers: {
          ...incoming.headers,
          "x-forwarded-for": forwarded ? `${forwarded}, ${peer}` : peer,
          "x-forwarded-proto": "https",
          "x-forwarded-host": PUBLIC_HOST,
        },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on("error", () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function wsdlLocation(port: number, from: string, headers: Record<string, string> = {}) {
  const { body } = await get(port, "/Remote/Services88/SoPrincipal.svc?wsdl", headers, from);
  return /<soap:address location="([^"]*)"/.exec(body)?.[1];
}

const ATTACKER = "127.0.0.2";
const BYSTANDER = "127.0.0.3";

for (const [name, setting] of [
  ["one trusted hop (--trust-proxy 1)", 1],
  ["the proxy's address (--trust-proxy 127.0.0.1/32)", ["127.0.0.1/32"]],
] as const) {
  describe(`behind a reverse proxy, trusting ${name}`, () => {
    let server: TestServer;
    let proxy: Awaited<ReturnType<typeof startReverseProxy>>;
    before(async () => {
      server = await startTestServer({ trustProxy: setting });
      proxy = await startReverseProxy(Number(new URL(server.url).port));
    });
    after(async () => {
      await proxy.close();
      await server.close();
    });

    it("rotating the leftmost X-Forwarded-For does not escape the per-address throttle", async () => {
      const lockAfter = DEFAULT_THROTTLE.address.lockAfter;
      for (let i = 0; i < lockAfter; i++) {
        const answer = await get(
          proxy.port,
          "/api/v1/Presence/GetAll",
          {
            Authorization: basic(`nobody${i}`, "wrong"),
            "X-Forwarded-For": `203.0.113.${i + 1}, 198.51.100.${i + 1}`,
          },
          ATTACKER,
        );
        assert.equal(answer.status, 401, answer.body);
      }
      const locked = await get(
        proxy.port,
        "/api/v1/Presence/GetAll",
        { Authorization: basic("kuhn", PASSWORD), "X-Forwarded-For": "192.0.2.77" },
        ATTACKER,
      );
      assert.equal(locked.status, 429, locked.body);
      // Another client behind the same proxy has an address of its own, and is not locked out.
      const other = await get(
        proxy.port,
        "/api/v1/Presence/GetAll",
        { Authorization: basic("kuhn", PASSWORD) },
        BYSTANDER,
      );
      assert.equal(other.status, 200, other.body);
    });

    it("addresses the WSDL with the proxy's scheme and host", async () => {
      assert.equal(
        await wsdlLocation(proxy.port, ATTACKER),
        `https://${PUBLIC_HOST}/Remote/Services88/SoPrincipal.svc`,
      );
    });
  });
}

describe("X-Forwarded-* from a peer that is not trusted", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ trustProxy: ["127.0.0.1"] });
  });
  after(() => server.close());

  it("is ignored", async () => {
    const port = Number(new URL(server.url).port);
    const location = await wsdlLocation(port, ATTACKER, {
      "X-Forwarded-Proto": "https",
      "X-Forwarded-Host": "evil.example",
    });
    assert.equal(location, `${server.url}/Remote/Services88/SoPrincipal.svc`);
  });
});

describe("--trust-proxy values", () => {
  it("takes a hop count or addresses, CIDRs and the names loopback, linklocal, uniquelocal", () => {
    assert.equal(trustProxy("2"), 2);
    assert.deepEqual(trustProxy("10.0.0.0/8, 192.168.1.7,loopback"), [
      "10.0.0.0/8",
      "192.168.1.7",
      "loopback",
    ]);
    assert.deepEqual(trustProxy("fd00::/8,::1"), ["fd00::/8", "::1"]);
  });

  it("refuses anything else", () => {
    for (const bad of ["10.0.0.0/33", "::1/129", "proxy.example", "10.0.0.1/8/2", "", "-1", "1.5"])
      assert.throws(() => trustProxy(bad), /not a hop count/, bad);
  });

  describe("on the command line", () => {
    let space: ReturnType<typeof workspace>;
    before(() => {
      space = workspace();
    });
    after(() => space.close());

    it("a bad value stops serve with a message", async () => {
      const run = await cli(["serve", "--port", "0", "--trust-proxy", "10.0.0.0/33"]);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /10\.0\.0\.0\/33.*not a hop count/);
    });

    it("the bare flag trusts a proxy on this host (loopback)", async () => {
      const { child, url } = await serve([
        "--port",
        "0",
        "--db",
        join(space.dir, "bare.db"),
        "--trust-proxy",
      ]);
      try {
        const port = Number(new URL(url).port);
        const headers = { "X-Forwarded-Proto": "https", "X-Forwarded-Host": PUBLIC_HOST };
        assert.equal(
          await wsdlLocation(port, ATTACKER, headers),
          `https://${PUBLIC_HOST}/Remote/Services88/SoPrincipal.svc`,
        );
      } finally {
        await stop(child);
      }
    });
  });
});
