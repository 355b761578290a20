/**
 * PresenceRenderer: after a change the new version is patched from the last rendering (only
 * changed entries serialised again). Every answer must be byte for byte what rendering the
 * whole list gives: JSON.stringify for JSON, presenceListXml for XML, with and without $select,
 * ASCII or not, through changes, additions, removals and long runs of versions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { ChatPresence } from "../src/domain/presence.ts";
import { parseSelect, presenceListXml } from "../src/http/carriers/presence.ts";
import { PresenceRenderer } from "../src/http/carriers/presence-renderer.ts";
import { negotiate } from "../src/http/codecs/negotiate.ts";

const JSON_FORMAT = negotiate("application/json");
const XML_FORMAT = negotiate("application/xml");
const SELECTS = [undefined, "UserId,Present", "DisplayName", "ChatTopics,OngoingChats"];

function entry(id: number, name: string | null, present: boolean, topics: number[] | null) {
  return {
    UserId: id,
    DisplayName: name,
    OngoingChats: id % 3,
    Present: present,
    ChatTopics: topics,
  };
}

/** What the whole list renders to, the slow way. */
function expected(list: ChatPresence[], xml: boolean, select: string | undefined): string {
  const fields = parseSelect(select);
  const shown = fields
    ? list.map((p) => ({
        UserId: fields.includes("UserId") ? p.UserId : 0,
        DisplayName: fields.includes("DisplayName") ? p.DisplayName : null,
        OngoingChats: fields.includes("OngoingChats") ? p.OngoingChats : 0,
        Present: fields.includes("Present") ? p.Present : false,
        ChatTopics: fields.includes("ChatTopics") ? p.ChatTopics : null,
      }))
    : list;
  return xml ? presenceListXml(shown) : JSON.stringify(shown);
}

function checkAll(renderer: PresenceRenderer, version: number, list: ChatPresence[]) {
  for (const xml of [false, true])
    for (const select of SELECTS) {
      const rendered = renderer.render(
        { version, presence: list },
        xml ? XML_FORMAT : JSON_FORMAT,
        parseSelect(select),
      );
      assert.equal(rendered.body.toString(), expected(list, xml, select), `${xml} ${select}`);
    }
}

const names = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constantFrom("Bjørn Ødegård", 'Anna <&> "Berg"', "李小龍", "emoji 🙂"),
);

describe("presence rendering", () => {
  it("patched versions equal whole renderings, byte for byte", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(names, fc.boolean(), fc.option(fc.array(fc.nat(50), { maxLength: 3 }))), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.array(fc.tuple(fc.nat(), names, fc.boolean(), fc.nat(3)), { maxLength: 30 }),
        (initial, steps) => {
          let list: ChatPresence[] = initial.map(([name, present, topics], i) =>
            entry(i + 1, name, present, topics),
          );
          // One keeps every kind of rendering (each patched from its last version); one keeps
          // fewer than are asked for, so kinds are dropped and rendered whole again.
          const renderers = [new PresenceRenderer(8), new PresenceRenderer(3)];
          let version = 1;
          for (const renderer of renderers) checkAll(renderer, version, list);
          for (const [at, name, present, kind] of steps) {
            // Entries are replaced in place, as the presence service does; adding or removing
            // users makes a new array.
            const next = kind <= 1 ? [...list] : list;
            const i = at % next.length;
            if (kind === 0 && next.length > 1) next.splice(i, 1);
            else if (kind === 1) next.push(entry(next.length + 100 + at, name, present, [1]));
            else next[i] = { ...next[i], DisplayName: name, Present: present };
            list = next;
            version++;
            for (const renderer of renderers) checkAll(renderer, version, list);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("keeps the ETag within a version and changes it with the next", () => {
    const renderer = new PresenceRenderer();
    const list = [entry(1, "a", false, [1]), entry(2, "b", true, null)];
    const first = renderer.render({ version: 1, presence: list }, JSON_FORMAT, null);
    assert.equal(renderer.render({ version: 1, presence: list }, JSON_FORMAT, null), first);
    const changed = [list[0], { ...list[1], Present: false }];
    const second = renderer.render({ version: 2, presence: changed }, JSON_FORMAT, null);
    assert.notEqual(second.etag, first.etag);
    assert.equal(second.body.toString(), JSON.stringify(changed));
    assert.equal(first.body.toString(), JSON.stringify(list), "an earlier answer is never altered");
  });
});
