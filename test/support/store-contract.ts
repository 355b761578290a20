/**
 * What the store contract suites in test/store/ share: the backend shape, `describeStore` (one
 * suite on one backend), the directory every suite starts from, and builders for the records
 * the suites write. The suites use the Store interface only, so a backend is correct when every
 * suite passes on it unchanged.
 */

import { after, before, describe } from "node:test";
import { PresenceError } from "../../src/domain/errors.ts";
import { defaultOpeningHours } from "../../src/domain/opening-hours.ts";
import type { PresenceEvent } from "../../src/domain/presence.ts";
import { EMPTY_CUSTOMER, type NewSession } from "../../src/domain/session.ts";
import type { TopicInput } from "../../src/domain/topic.ts";
import type { DirectoryImport } from "../../src/store/directory.ts";
import type { Store } from "../../src/store/store.ts";
import { membership } from "./records.ts";

export interface StoreFactory {
  name: string;
  /** Set when the backend is not reachable here; the suite is then reported as skipped. */
  skip?: boolean;
  /** A fresh, empty, migrated store, and how to drop whatever opening it created. */
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

/**
 * Declares one contract suite on one backend: `store` stands for the store the backend opens
 * before the suite's first test (closed, and cleaned up, after its last). The body declares the
 * tests, and its own beforeEach if it needs one.
 */
export function describeStore(
  title: string,
  backend: StoreFactory,
  body: (store: Store) => void,
): void {
  describe(`${title}: ${backend.name}`, { skip: backend.skip }, () => {
    let opened: { store: Store; cleanup(): Promise<void> } | undefined;
    const store = new Proxy({} as Store, {
      get(_, name) {
        if (!opened) throw new Error("the store is open only inside the suite's tests and hooks");
        const value = Reflect.get(opened.store, name);
        return typeof value === "function" ? value.bind(opened.store) : value;
      },
    });
    before(async () => {
      opened = await backend.open();
    });
    after(async () => {
      await opened?.store.close();
      await opened?.cleanup();
    });
    body(store);
  });
}

/** Users 1 (admin) to 3, topics 10 and 20 with members, sessions 100 to 103, one app token. */
export function directory(): DirectoryImport {
  return {
    users: [
      {
        id: 1,
        username: "anna",
        displayName: "Anna",
        role: "admin",
        present: false,
        passwordHash: "h1",
      },
      {
        id: 2,
        username: "bo",
        displayName: "Bo",
        role: "agent",
        present: true,
        passwordHash: null,
      },
      {
        id: 3,
        username: "cy",
        displayName: "Cy",
        role: "agent",
        present: false,
        passwordHash: null,
      },
    ],
    topics: [
      { id: 10, name: "Sales" },
      { id: 20, name: "Support" },
    ],
    members: [
      membership(20, 2, { canNotify: true }),
      membership(10, 2, { canListen: true }),
      membership(10, 3),
    ],
    sessions: [
      { id: 100, topicId: 10, userId: 2, status: "UserLast" },
      { id: 101, topicId: 10, userId: 2, status: "CustomerLast" },
      { id: 102, topicId: 20, userId: 2, status: "Finished" },
      { id: 103, topicId: 20, userId: null, status: "InQueue" },
    ],
    appTokenHashes: ["apphash"],
  };
}

/** Removes what earlier tests created, then imports the shared directory again. */
export async function resetStore(store: Store): Promise<void> {
  for (const topic of await store.listTopics()) await store.deleteTopic(topic.id);
  for (const user of await store.listUsers()) if (user.id > 3) await store.deleteUser(user.id);
  await store.importDirectory(directory());
}

export const coded = (code: string) => (error: unknown) =>
  error instanceof PresenceError && error.code === code;

export function topicInput(name: string): TopicInput {
  return {
    name,
    description: `${name} desk`,
    welcomeMessage: "Hi!",
    openingHoursEnabled: true,
    openingHours: { ...defaultOpeningHours(), timeZone: "Europe/Oslo" },
    settings: { BadgeHeader: "Chat with us", Widget: { Color: "#ff0000" } },
  };
}

export function queued(topicId: number, whenRequested = Date.now()): NewSession {
  return {
    topicId,
    status: "InQueue",
    customer: { ...EMPTY_CUSTOMER, name: "Customer" },
    firstMessage: "",
    lastMessage: "",
    rating: 0,
    chatbotIsActive: false,
    whenRequested,
  };
}

let version = 1000;
/** A change event with a fresh Version each call, as the change bus would carry it. */
export function event(
  userId: number,
  topics: number[],
  previousTopics: number[] | null = null,
): PresenceEvent {
  return {
    UserId: userId,
    Present: true,
    OngoingChats: 1,
    ChatTopics: topics,
    Previous: previousTopics
      ? { Present: false, OngoingChats: 0, ChatTopics: previousTopics }
      : null,
    Version: ++version,
    At: new Date(1_700_000_000_000 + version).toISOString(),
    Source: "api",
    ChangedBy: 1,
  };
}

/** Appends the changes to history (which holds the events the outbox refers to). */
export async function logged(store: Store, events: PresenceEvent[]): Promise<PresenceEvent[]> {
  return store.appendHistory(
    events.map(({ Version, At, ...entry }) => ({ ...entry, at: Date.parse(At) })),
  );
}

/** Logs the change set, writes it to the outbox and fans it all out, as the worker would. */
export async function enqueue(
  store: Store,
  events: PresenceEvent[],
  now: number,
): Promise<PresenceEvent[]> {
  const stored = await logged(store, events);
  await store.enqueueChanges(stored, now);
  while (await store.fanOut(1000));
  return stored;
}
