/** The topics part of the store contract: topics with their details, and their members. */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { defaultOpeningHours } from "../../src/domain/opening-hours.ts";
import { BACKENDS } from "../support/backends.ts";
import {
  coded,
  describeStore,
  resetStore,
  type StoreFactory,
  topicInput,
} from "../support/store-contract.ts";

function topicsSuite(backend: StoreFactory): void {
  describeStore("topics store", backend, (store) => {
    beforeEach(() => resetStore(store));

    it("creates, reads, replaces and lists topics with details and kept settings", async () => {
      const created = await store.createTopic(topicInput("Billing"));
      assert.ok(created.id > 20, "a new id after the imported ones");
      assert.deepEqual(await store.getTopic(created.id), created);
      assert.equal(created.openingHours.timeZone, "Europe/Oslo");
      assert.deepEqual(created.settings, {
        BadgeHeader: "Chat with us",
        Widget: { Color: "#ff0000" },
      });
      const replaced = await store.updateTopic(created.id, {
        ...topicInput("Invoices"),
        settings: {},
      });
      assert.equal(replaced?.name, "Invoices");
      assert.deepEqual(replaced?.settings, {});
      assert.equal(await store.updateTopic(9999, topicInput("x")), null);
      assert.deepEqual(
        (await store.listTopics()).map((t) => t.id),
        [10, 20, created.id],
      );
      const imported = await store.getTopic(10);
      assert.equal(imported?.openingHoursEnabled, false, "imported topics get defaults");
      assert.deepEqual(imported?.openingHours, defaultOpeningHours());
    });

    it("deletes a topic with its members and sessions and names the users affected", async () => {
      assert.deepEqual((await store.deleteTopic(10))?.sort(), [2, 3]);
      assert.equal(await store.getTopic(10), null);
      assert.equal(await store.getSession(100), null, "sessions go with the topic");
      assert.equal((await store.listMembers(10)).length, 0);
      assert.equal(await store.deleteTopic(10), null);
      const bo = (await store.presenceOf([2]))[0];
      assert.deepEqual([bo.ChatTopics, bo.OngoingChats], [[20], 0]);
    });

    it("lists the topics where a user holds any right", async () => {
      assert.deepEqual(
        (await store.topicsForUser(2)).map((t) => t.id),
        [10, 20],
      );
      assert.deepEqual(await store.topicsForUser(3), [], "a membership without rights is none");
    });

    it("lists, reads and changes members; presence follows", async () => {
      const members = await store.listMembers(10);
      assert.deepEqual(
        members.map((m) => [m.user.id, m.user.username, m.canListen]),
        [
          [2, "bo", true],
          [3, "cy", false],
        ],
      );
      assert.equal((await store.getMember(10, 3))?.user.displayName, "Cy");
      assert.equal(await store.getMember(10, 1), null);
      const rights = { canListen: false, canRespond: true, canManage: false, canNotify: false };
      await store.upsertMembers(20, [
        { userId: 1, ...rights },
        { userId: 3, ...rights, canManage: true },
      ]);
      assert.equal((await store.getMember(20, 3))?.canManage, true);
      assert.deepEqual((await store.rightsOf(3)).get(20), { ...rights, canManage: true });
      assert.deepEqual((await store.presenceOf([1]))[0].ChatTopics, [20]);
      assert.equal(await store.updateMember(20, { userId: 1, ...rights, canRespond: false }), true);
      assert.deepEqual((await store.presenceOf([1]))[0].ChatTopics, [], "no rights, no topic");
      assert.equal(await store.updateMember(10, { userId: 1, ...rights }), false, "not a member");
      assert.equal(await store.deleteMember(20, 3), true);
      assert.equal(await store.deleteMember(20, 3), false);
    });

    it("adds members all or none", async () => {
      const rights = { canListen: true, canRespond: false, canManage: false, canNotify: false };
      await assert.rejects(
        store.upsertMembers(20, [
          { userId: 1, ...rights },
          { userId: 999, ...rights },
        ]),
        coded("PRES_ERR_NO_USER"),
      );
      assert.equal(await store.getMember(20, 1), null, "the first member was not added");
      await assert.rejects(
        store.upsertMembers(999, [{ userId: 1, ...rights }]),
        coded("PRES_ERR_NO_TOPIC"),
      );
    });
  });
}

for (const backend of BACKENDS) topicsSuite(backend);
