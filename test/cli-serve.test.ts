/**
 * `chat-presence serve` started for real: --port 0, --seed, /healthz,
 * PORT/HOST/DATABASE_URL from the environment, --online, --public-availability and the
 * --signin-* throttle options.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli, serve, stop, workspace } from "./support/cli.ts";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("chat-presence serve", () => {
  let space: ReturnType<typeof workspace>;
  let dir: string;
  let seedFile: string;
  before(() => {
    space = workspace();
    ({ dir, seedFile } = space);
  });
  after(() => space.close());

  it("serve --port 0 --seed FILE answers /healthz and the seeded presence", async () => {
    const { child, url } = await serve([
      "--port",
      "0",
      "--db",
      join(dir, "serve.db"),
      "--seed",
      seedFile,
    ]);
    try {
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: "ok" });
      const list = await fetch(`${url}/api/v1/Presence/GetAll`, {
        headers: { Authorization: `Basic ${btoa("anna:s3cret")}` },
      });
      assert.deepEqual(
        ((await list.json()) as { UserId: number }[]).map((p) => p.UserId),
        [1, 2],
      );
    } finally {
      await stop(child);
    }
  });

  it("serve reads PORT, HOST and DATABASE_URL from the environment", async () => {
    const port = await freePort();
    const envDb = join(dir, "env.db");
    const env = { PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: envDb };
    const { child, url } = await serve(["--seed", seedFile], env);
    try {
      assert.equal(url, `http://127.0.0.1:${port}`);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      assert.ok(existsSync(envDb), "the store is at DATABASE_URL");
    } finally {
      await stop(child);
    }
  });

  it("serve --base-path /SuperOffice serves the API under it and /healthz at the root", async () => {
    const bad = await cli(["serve", "--base-path", "/a b", "--db", join(dir, "x.db")]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--base-path.*not a path segment/);
    const { child, url } = await serve([
      "--port",
      "0",
      "--base-path",
      "/SuperOffice/",
      "--db",
      join(dir, "base.db"),
      "--seed",
      seedFile,
    ]);
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      const headers = { Authorization: `Basic ${btoa("anna:s3cret")}` };
      const list = await fetch(`${url}/SuperOffice/api/v1/Presence/GetAll`, { headers });
      assert.equal(list.status, 200);
      assert.equal((await fetch(`${url}/api/v1/Presence/GetAll`, { headers })).status, 404);
    } finally {
      await stop(child);
    }
  });

  it("serve --public-availability, or PUBLIC_AVAILABILITY=1, lets anonymous widgets ask", async () => {
    const availability = (url: string) => fetch(`${url}/api/v1/Availability?topicId=10`);
    const closed = await serve([
      "--port",
      "0",
      "--db",
      join(dir, "private.db"),
      "--seed",
      seedFile,
    ]);
    try {
      assert.equal((await availability(closed.url)).status, 401);
    } finally {
      await stop(closed.child);
    }
    for (const [args, env] of [
      [["--public-availability"], {}],
      [[], { PUBLIC_AVAILABILITY: "1" }],
    ] as const) {
      const db = join(dir, `public-${args.length}.db`);
      const { child, url } = await serve(
        ["--port", "0", "--db", db, "--seed", seedFile, ...args],
        env,
      );
      try {
        const reply = await availability(url);
        assert.equal(reply.status, 200);
        assert.equal(((await reply.json()) as { TopicId: number }).TopicId, 10);
      } finally {
        await stop(child);
      }
    }
  });

  it("serve --online refuses Basic and requires SO-AppToken", async () => {
    const onlineDb = join(dir, "online.db");
    const { child, url } = await serve([
      "--port",
      "0",
      "--online",
      "--db",
      onlineDb,
      "--seed",
      seedFile,
    ]);
    try {
      const basic = await fetch(`${url}/api/v1/Presence/GetAll`, {
        headers: { Authorization: `Basic ${btoa("anna:s3cret")}`, "SO-AppToken": "app-123" },
      });
      assert.equal(basic.status, 401);
      const ticket = (
        await cli(["token", "create", "--user", "anna", "--db", onlineDb])
      ).stdout.trim();
      const headers = { Authorization: `SoTicket ${ticket}` };
      assert.equal((await fetch(`${url}/api/v1/Presence/GetAll`, { headers })).status, 401);
      const ok = await fetch(`${url}/api/v1/Presence/GetAll`, {
        headers: { ...headers, "SO-AppToken": "app-123" },
      });
      assert.equal(ok.status, 200);
    } finally {
      await stop(child);
    }
  });

  it("serve --webhook-limit, --webhook-allow-private and --webhook-allow", async () => {
    const bad = await cli(["serve", "--webhook-allow", "10.0.0.0/33", "--db", join(dir, "x.db")]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /address range/);
    const zero = await cli(["serve", "--webhook-in-flight", "0", "--db", join(dir, "x.db")]);
    assert.notEqual(zero.code, 0);
    assert.match(zero.stderr, /from 1 up/);
    const register = (url: string, target: string) =>
      fetch(`${url}/api/v1/Webhooks`, {
        method: "POST",
        headers: {
          Authorization: `Basic ${btoa("anna:s3cret")}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ Url: target, Secret: "cli-webhook-secret-0001" }),
      });
    const db = ["--port", "0", "--db", join(dir, "webhooks.db"), "--seed", seedFile];
    const strict = await serve(db);
    try {
      assert.equal((await register(strict.url, "http://127.0.0.1:9/")).status, 400);
    } finally {
      await stop(strict.child);
    }
    const open = await serve([
      ...db,
      "--webhook-allow-private",
      "--webhook-limit",
      "1",
      "--webhook-timeout",
      "2",
      "--webhook-in-flight",
      "2",
      "--webhook-pool",
      "8",
    ]);
    try {
      assert.equal((await register(open.url, "http://127.0.0.1:9/")).status, 201);
      assert.equal((await register(open.url, "http://127.0.0.1:9/two")).status, 409);
    } finally {
      await stop(open.child);
    }
    const ranged = await serve([
      ...db.slice(0, 4),
      "--webhook-allow",
      "10.0.0.0/8",
      "--webhook-allow",
      "127.0.0.1",
    ]);
    try {
      assert.equal((await register(ranged.url, "http://10.9.8.7/")).status, 201);
      assert.equal((await register(ranged.url, "http://192.168.0.1/")).status, 400);
    } finally {
      await stop(ranged.child);
    }
  });

  it("serve --signin-user-limit and --signin-lock set the sign-in throttle; 0 is refused", async () => {
    const { child, url } = await serve([
      "--port",
      "0",
      "--db",
      join(dir, "throttle.db"),
      "--seed",
      seedFile,
      "--signin-user-limit",
      "2",
      "--signin-lock",
      "30",
    ]);
    try {
      const attempt = async (password: string) => {
        const response = await fetch(`${url}/api/v1/Presence/GetAll`, {
          headers: { Authorization: `Basic ${btoa(`anna:${password}`)}` },
        });
        await response.arrayBuffer();
        return [response.status, response.headers.get("retry-after")];
      };
      assert.deepEqual(await attempt("wrong-1"), [401, null]);
      assert.deepEqual(await attempt("wrong-2"), [401, null]);
      assert.deepEqual(await attempt("s3cret"), [429, "30"]);
    } finally {
      await stop(child);
    }
    const refused = await cli(["serve", "--signin-user-limit", "0"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /from 1 up/);
  });
});
