/**
 * Sign-in throttle under concurrency: however many guesses arrive at once, over Basic,
 * SoPrincipal AuthenticateUsernamePassword and /Auth/Login, no more than the limit are ever
 * checked (5 per name, 30 per address), counted by the server's own password-check counter,
 * and the right password sent while the slots are taken is refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { OPERATOR } from "../src/service/users.ts";
import { soapSignIn } from "./support/reliability.ts";
import { basic, PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

const GUESSES = 300;
const ROUNDS = 3;
/** Locks long enough not to lapse during a burst (a lapsed lock lets the next guess through). */
const SIGN_IN = { lockMs: 60_000 };
const METRICS_TOKEN = "metrics-token-for-tests";

/** An outcome per protocol: "ok", "wrong" or "throttled". */
type Outcome = "ok" | "wrong" | "throttled";
type SignIn = (server: TestServer, username: string, password: string) => Promise<Outcome>;

const viaBasic: SignIn = async (server, username, password) => {
  const response = await server.fetch("/api/v1/Presence/GetAll", {
    headers: { Authorization: basic(username, password) },
  });
  await response.arrayBuffer();
  return outcomeOf(response.status);
};

const viaLogin: SignIn = async (server, username, password) => {
  const response = await server.fetch("/api/v1/Auth/Login", {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: server.url },
    body: JSON.stringify({ Username: username, Password: password }),
  });
  await response.arrayBuffer();
  return outcomeOf(response.status);
};

const viaSoap: SignIn = async (server, username, password) => {
  const { text } = await soapSignIn(server.url, username, password);
  if (/PRES_ERR_THROTTLED/.test(text)) return "throttled";
  return /AuthenticationSucceeded>true</.test(text) ? "ok" : "wrong";
};

function outcomeOf(status: number): Outcome {
  if (status === 200) return "ok";
  if (status === 429) return "throttled";
  assert.equal(status, 401);
  return "wrong";
}

function tally(outcomes: Outcome[]): Record<Outcome, number> {
  const counts = { ok: 0, wrong: 0, throttled: 0 };
  for (const outcome of outcomes) counts[outcome]++;
  return counts;
}

/** Resolves once the server has started checking `count` more passwords than `base`. */
async function checksReach(server: TestServer, base: number, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (server.services.auth.passwordChecks - base < count) {
    assert.ok(Date.now() < deadline, "the server never started checking the guesses");
    await sleep(1);
  }
}

describe("concurrent guesses against the sign-in throttle", () => {
  let server: TestServer;
  before(async () => {
    // The address limit is out of the way here: each round locks a name, not the address.
    server = await startTestServer({
      signIn: { ...SIGN_IN, perAddress: 10_000 },
      metricsToken: METRICS_TOKEN,
    });
  });
  after(() => server.close());

  const cases: [string, SignIn][] = [
    ["Basic", viaBasic],
    ["SoPrincipal AuthenticateUsernamePassword", viaSoap],
    ["/Auth/Login", viaLogin],
  ];
  for (const [name, signIn] of cases) {
    it(`${name}: ${GUESSES} parallel wrong guesses check at most 5; the right one is refused (${ROUNDS} rounds)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const username = `${name.replace(/\W/g, "").toLowerCase()}${round}`;
        await server.services.users.create(OPERATOR, {
          username,
          role: "agent",
          password: PASSWORD,
        });
        const base = server.services.auth.passwordChecks;
        const guesses = Array.from({ length: GUESSES }, (_, i) =>
          signIn(server, username, `wrong-${i}`),
        );
        // The right password arrives once the server is busy checking the first guesses.
        await checksReach(server, base, 5);
        const right = await signIn(server, username, PASSWORD);
        const counts = tally(await Promise.all(guesses));
        const checked = server.services.auth.passwordChecks - base;
        console.log(
          `${name} round ${round}: ${GUESSES} guesses + 1 right: ${checked} checked, ${counts.wrong} wrong, ${counts.throttled} throttled; right one ${right}`,
        );
        assert.equal(right, "throttled");
        assert.ok(checked <= 5, `${checked} passwords were checked`);
        assert.deepEqual(counts, { ok: 0, wrong: checked, throttled: GUESSES - checked });
        // Still locked after the verdicts: the 5 failures lock the name.
        assert.equal(await signIn(server, username, PASSWORD), "throttled");
      }
    });
  }

  it("publishes the number of password checks on /metrics", async () => {
    const response = await server.fetch("/metrics", {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await response.text();
    const published = Number(/^chat_presence_password_checks (\d+)$/m.exec(text)?.[1]);
    assert.equal(published, server.services.auth.passwordChecks);
    assert.equal(published, 5 * ROUNDS * cases.length);
  });
});

describe("concurrent guesses from one address", () => {
  for (const [name, signIn] of [
    ["Basic", viaBasic],
    ["SoPrincipal AuthenticateUsernamePassword", viaSoap],
    ["/Auth/Login", viaLogin],
  ] as const) {
    it(`${name}: ${GUESSES} parallel guesses over as many names check at most 30`, async () => {
      const fresh = await startTestServer({ signIn: SIGN_IN });
      try {
        const base = fresh.services.auth.passwordChecks;
        const guesses = Array.from({ length: GUESSES }, (_, i) =>
          signIn(fresh, `spray${i}`, `wrong-${i}`),
        );
        await checksReach(fresh, base, 30);
        const right = await signIn(fresh, "kuhn", PASSWORD);
        const counts = tally(await Promise.all(guesses));
        const checked = fresh.services.auth.passwordChecks - base;
        console.log(
          `${name}: ${GUESSES} names from one address: ${checked} checked, ${counts.throttled} throttled; right one ${right}`,
        );
        assert.equal(right, "throttled");
        assert.ok(checked <= 30, `${checked} passwords were checked`);
        assert.deepEqual(counts, { ok: 0, wrong: checked, throttled: GUESSES - checked });
      } finally {
        await fresh.close();
      }
    });
  }
});
