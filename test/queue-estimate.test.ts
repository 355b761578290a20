/**
 * The queue's pure rules (domain/queue.ts): the expected wait by place and agents, the
 * offline-form rule from a topic's saved settings, and a topic's utilisation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  estimateWaitSeconds,
  fullness,
  offlineFormRule,
  showOfflineForm,
  utilisation,
} from "../src/domain/queue.ts";

const basis = (agentsServing: number, secondsPerAccept: number | null = 40, agentsPresent = 5) => ({
  secondsPerAccept,
  agentsPresent,
  agentsServing,
});

describe("estimated wait", () => {
  it("is the measured seconds per accept times the rounds the agents serving need", () => {
    assert.equal(estimateWaitSeconds(1, basis(1)), 40);
    assert.equal(estimateWaitSeconds(3, basis(1)), 120);
    assert.equal(estimateWaitSeconds(3, basis(2)), 80);
    assert.equal(estimateWaitSeconds(4, basis(2)), 80);
    assert.equal(estimateWaitSeconds(5, basis(2)), 120);
  });

  it("never falls as the place grows, and never rises as agents are added", () => {
    for (let agents = 1; agents <= 6; agents++) {
      let previous = 0;
      for (let position = 1; position <= 40; position++) {
        const wait = estimateWaitSeconds(position, basis(agents)) as number;
        assert.ok(wait >= previous, `place ${position} with ${agents} agents`);
        const more = estimateWaitSeconds(position, basis(agents + 1)) as number;
        assert.ok(more <= wait, `place ${position}: ${agents + 1} agents wait no longer`);
        previous = wait;
      }
    }
    assert.ok(
      (estimateWaitSeconds(10, basis(5)) as number) < (estimateWaitSeconds(10, basis(1)) as number),
    );
  });

  it("counts one agent when everyone present is busy; null with nobody present or no measurement", () => {
    assert.equal(estimateWaitSeconds(2, basis(0)), 80);
    assert.equal(estimateWaitSeconds(2, basis(0, 40, 0)), null);
    assert.equal(estimateWaitSeconds(2, basis(3, null)), null);
    assert.equal(estimateWaitSeconds(1, basis(1, 0)), 0);
  });

  it("rounds to whole seconds", () => {
    assert.equal(estimateWaitSeconds(1, basis(1, 12.6)), 13);
  });
});

describe("offline form", () => {
  const open = { open: true, agentsPresent: 2, queueLength: 0, estimatedWaitSeconds: 30 };
  const rule = (settings: Record<string, unknown>) => offlineFormRule(settings);

  it("reads the ChatTopicEntity settings, anything not a positive whole number as unused", () => {
    assert.deepEqual(rule({}), { useQueueOfflineForm: false, queueLength: 0, timeLimitMinutes: 0 });
    assert.deepEqual(
      rule({ UseQueueOfflineForm: true, OfflineFormQueueLength: 4, OfflineFormTimeLimit: 2 }),
      { useQueueOfflineForm: true, queueLength: 4, timeLimitMinutes: 2 },
    );
    assert.deepEqual(
      rule({ UseQueueOfflineForm: "yes", OfflineFormQueueLength: -1, OfflineFormTimeLimit: 1.5 }),
      { useQueueOfflineForm: false, queueLength: 0, timeLimitMinutes: 0 },
    );
  });

  it("always when closed or nobody is present, whatever the settings", () => {
    assert.equal(showOfflineForm({ ...open, open: false }, rule({})), true);
    assert.equal(showOfflineForm({ ...open, agentsPresent: 0 }, rule({})), true);
    assert.equal(showOfflineForm(open, rule({})), false);
  });

  it("with UseQueueOfflineForm, from the queue length or the expected wait set", () => {
    const byLength = rule({ UseQueueOfflineForm: true, OfflineFormQueueLength: 3 });
    assert.equal(showOfflineForm({ ...open, queueLength: 2 }, byLength), false);
    assert.equal(showOfflineForm({ ...open, queueLength: 3 }, byLength), true);
    const byTime = rule({ UseQueueOfflineForm: true, OfflineFormTimeLimit: 2 });
    assert.equal(showOfflineForm({ ...open, estimatedWaitSeconds: 119 }, byTime), false);
    assert.equal(showOfflineForm({ ...open, estimatedWaitSeconds: 120 }, byTime), true);
    assert.equal(showOfflineForm({ ...open, estimatedWaitSeconds: null }, byTime), false);
    const off = rule({ UseQueueOfflineForm: false, OfflineFormQueueLength: 1 });
    assert.equal(showOfflineForm({ ...open, queueLength: 5 }, off), false);
  });
});

describe("utilisation", () => {
  const load = (
    ongoingChats: number,
    ongoingInTopic: number,
    maxChats: number,
    perAgent: number,
  ) => ({
    ongoingChats,
    ongoingInTopic,
    maxChats,
    maxChatsPerAgent: perAgent,
  });

  it("measures each agent against the limit that leaves them the least room", () => {
    assert.equal(fullness(load(1, 1, 4, 0)), 0.25);
    assert.equal(fullness(load(3, 1, 4, 2)), 0.75);
    assert.equal(fullness(load(3, 2, 4, 2)), 1);
    assert.equal(fullness(load(6, 0, 3, 0)), 1, "over a lowered limit is full, not more");
    assert.equal(fullness(load(5, 5, 0, 0)), null);
  });

  it("is the mean over the agents with a limit; null when none has one", () => {
    assert.equal(utilisation([load(1, 1, 2, 0), load(0, 0, 2, 0), load(9, 9, 0, 0)]), 0.25);
    assert.equal(utilisation([load(2, 2, 0, 0)]), null);
    assert.equal(utilisation([]), null);
  });
});
