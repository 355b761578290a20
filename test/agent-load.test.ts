/** An agent's load limit as the dashboard shows it: per topic the limit that binds, overall the largest. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { overallLimit, topicLimits } from "../src/domain/capacity.ts";

describe("agent load limits", () => {
  const topic = (id: number, maxChatsPerAgent: number) => ({ id, maxChatsPerAgent });

  it("binds by the smaller limit set in each topic", () => {
    assert.deepEqual(topicLimits(3, [topic(1, 0), topic(2, 2), topic(3, 5)]), [
      { topicId: 1, limit: 3 },
      { topicId: 2, limit: 2 },
      { topicId: 3, limit: 3 },
    ]);
    assert.deepEqual(topicLimits(0, [topic(1, 0), topic(2, 4)]), [
      { topicId: 1, limit: 0 },
      { topicId: 2, limit: 4 },
    ]);
  });

  it("overall: the largest topic limit; none when one topic has none; MaxChats where they respond nowhere", () => {
    assert.equal(overallLimit(0, topicLimits(0, [topic(1, 2), topic(2, 4)])), 4);
    assert.equal(overallLimit(5, topicLimits(5, [topic(1, 2), topic(2, 3)])), 3);
    assert.equal(overallLimit(0, topicLimits(0, [topic(1, 2), topic(2, 0)])), 0);
    assert.equal(overallLimit(3, []), 3);
    assert.equal(overallLimit(0, []), 0);
  });
});
