/** The pure rules behind webhook delivery: which addresses may be reached, and whose turn it is. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PUBLIC_ONLY, parseRange, targetRefusal } from "../src/domain/webhook-target.ts";
import { planTurns } from "../src/jobs/webhook-turns.ts";

describe("webhook targets", () => {
  it("refuses every non-public range, also inside IPv6, and allows public addresses", () => {
    const refused: [string, string][] = [
      ["127.0.0.1", "loopback"],
      ["0.0.0.0", "this network"],
      ["0.1.2.3", "this network"],
      ["10.255.255.255", "private"],
      ["172.31.0.1", "private"],
      ["192.168.0.1", "private"],
      ["100.127.255.255", "CGNAT"],
      ["169.254.169.254", "link-local"],
      ["224.0.0.251", "multicast"],
      ["255.255.255.255", "reserved"],
      ["198.18.0.1", "benchmarking"],
      ["::", "unspecified"],
      ["::1", "loopback"],
      ["fc00::1", "unique local"],
      ["fdff:ffff::1", "unique local"],
      ["fe80::1%eth0", "link-local"],
      ["ff02::1", "multicast"],
      ["::ffff:127.0.0.1", "loopback"],
      ["::ffff:7f00:1", "loopback"],
      ["::ffff:10.0.0.1", "private"],
      ["::127.0.0.1", "loopback"],
      ["64:ff9b::a9fe:a9fe", "link-local"],
      ["2002:c0a8:101::1", "private"],
      ["not-an-address", "not an IP address"],
    ];
    for (const [address, kind] of refused)
      assert.ok(targetRefusal(address, PUBLIC_ONLY)?.includes(kind), address);
    for (const address of [
      "8.8.8.8",
      "172.32.0.1",
      "100.128.0.1",
      "2606:4700::1111",
      "::ffff:8.8.8.8",
    ])
      assert.equal(targetRefusal(address, PUBLIC_ONLY), null, address);
  });

  it("refuses the server's own addresses, and allows what the operator allows", () => {
    const own = { ...PUBLIC_ONLY, ownAddresses: ["203.0.114.7"] };
    assert.equal(targetRefusal("203.0.114.7", own), "one of this server's own addresses");
    assert.equal(targetRefusal("::ffff:203.0.114.7", own), "one of this server's own addresses");
    const ranged = { ...PUBLIC_ONLY, allow: ["10.1.0.0/16", "fd00::/8"] };
    assert.equal(targetRefusal("10.1.2.3", ranged), null);
    assert.equal(targetRefusal("::ffff:10.1.2.3", ranged), null);
    assert.equal(targetRefusal("fd00::5", ranged), null);
    assert.ok(targetRefusal("10.2.0.1", ranged));
    assert.equal(targetRefusal("127.0.0.1", { ...PUBLIC_ONLY, allowPrivate: true }), null);
    for (const bad of ["10.0.0.0/33", "10.0.0/8", "x", "10.0.0.0/8/1", "::/129", "10.0.0.0/-1"])
      assert.equal(parseRange(bad), null, bad);
  });
});

describe("webhook turns", () => {
  const limits = { perWebhook: 4, sharedPool: 3 };
  const due = (id: number, count = 10, failing = false) => ({ webhookId: id, due: count, failing });

  it("gives every webhook with nothing in flight a send of its own, even with the pool used up", () => {
    const inFlight = new Map([
      [1, 4],
      [2, 4],
    ]);
    const { plan } = planTurns([due(1), due(2), due(3)], inFlight, limits, 0);
    assert.deepEqual(plan, [{ webhookId: 3, limit: 1 }]);
  });

  it("hands out the shared pool round-robin, after the webhook served last", () => {
    const first = planTurns([due(1), due(2), due(3)], new Map(), limits, 0);
    // One each of their own, then the pool of 3 in turn: 1, 2, 3.
    assert.deepEqual(first.plan, [
      { webhookId: 1, limit: 2 },
      { webhookId: 2, limit: 2 },
      { webhookId: 3, limit: 2 },
    ]);
    const next = planTurns([due(1), due(2), due(3)], new Map(), { ...limits, sharedPool: 1 }, 1);
    assert.deepEqual(next.plan, [
      { webhookId: 2, limit: 2 },
      { webhookId: 3, limit: 1 },
      { webhookId: 1, limit: 1 },
    ]);
    assert.equal(next.last, 2);
  });

  it("caps each webhook at its limit and a failing one at a single probe", () => {
    const wide = { perWebhook: 2, sharedPool: 100 };
    const { plan } = planTurns([due(1), due(2, 10, true), due(3, 1)], new Map(), wide, 0);
    assert.deepEqual(plan, [
      { webhookId: 1, limit: 2 },
      { webhookId: 2, limit: 1 },
      { webhookId: 3, limit: 1 },
    ]);
    assert.deepEqual(planTurns([due(2, 10, true)], new Map([[2, 1]]), wide, 0).plan, []);
  });
});
