/** Shared pieces of the MessageService tests: the directory, its actors, and both backends. */

import { PresenceError } from "../../src/domain/errors.ts";
import type { ChatMessageRecord } from "../../src/domain/message.ts";
import type { Actor } from "../../src/domain/presence.ts";
import { createServices, type Services } from "../../src/service/services.ts";
import { openPostgresBackend } from "../../src/store/postgres/store.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import type { Store } from "../../src/store/store.ts";

export const coded = (code: string) => (error: unknown) =>
  error instanceof PresenceError && error.code === code;

export const ADA: Actor = { userId: 1, username: "ada", role: "admin" };
/** CanRespond on topic 10: picks up, then owns the session. */
export const BO: Actor = { userId: 2, username: "bo", role: "agent" };
/** CanListen on topic 10: may read its sessions, not change them. */
export const CY: Actor = { userId: 3, username: "cy", role: "agent" };
/** In no topic. */
export const DEE: Actor = { userId: 4, username: "dee", role: "agent" };
/** CanManage on topic 10. */
export const MAX: Actor = { userId: 5, username: "max", role: "agent" };

export const rights = (listen: boolean, respond: boolean, manage: boolean) => ({
  canListen: listen,
  canRespond: respond,
  canManage: manage,
  canNotify: false,
});

export async function seed(store: Store): Promise<void> {
  const user = (id: number, username: string, role: "admin" | "agent") => ({
    id,
    username,
    displayName: username.toUpperCase(),
    role,
    passwordHash: null,
  });
  await store.importDirectory({
    users: [
      user(1, "ada", "admin"),
      user(2, "bo", "agent"),
      user(3, "cy", "agent"),
      user(4, "dee", "agent"),
      user(5, "max", "agent"),
    ],
    topics: [{ id: 10, name: "Sales" }],
    members: [
      { topicId: 10, userId: 2, ...rights(false, true, false) },
      { topicId: 10, userId: 3, ...rights(true, false, false) },
      { topicId: 10, userId: 5, ...rights(false, false, true) },
    ],
    sessions: [],
    appTokenHashes: [],
  });
}

export interface Backend {
  name: string;
  skip?: boolean;
  open(): Promise<{ services: Services; store: Store; close(): Promise<void> }>;
}

export const sqlite: Backend = {
  name: "sqlite",
  async open() {
    const store = openSqliteStore({ path: ":memory:" });
    return {
      services: createServices(store, { messageLimits: { pageSize: 4 } }),
      store,
      close: () => store.close(),
    };
  },
};

export function postgres(skip: boolean, url: string, reconnectMs?: number): Backend {
  return {
    name: "postgres",
    skip,
    async open() {
      const backend = await openPostgresBackend({ url, reconnectMs, onError: () => undefined });
      const services = createServices(backend.store, {
        bus: backend.bus,
        messageBus: backend.messageBus,
        shared: true,
        messageLimits: { pageSize: 4 },
      });
      return {
        services,
        store: backend.store,
        async close() {
          await backend.bus.close();
          await backend.messageBus.close();
          await backend.store.close();
        },
      };
    },
  };
}

/** Resolves once `count` messages have arrived (or rejects after a generous wait). */
export function collector(count: number) {
  const got: ChatMessageRecord[] = [];
  let done: () => void = () => undefined;
  const complete = new Promise<void>((resolve, reject) => {
    done = resolve;
    setTimeout(() => reject(new Error(`got ${got.length} of ${count} messages`)), 15_000).unref();
  });
  return {
    got,
    complete,
    listener: (message: ChatMessageRecord) => {
      got.push(message);
      if (got.length >= count) done();
    },
  };
}
