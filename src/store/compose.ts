/**
 * A backend is written as one part per concern (presence.ts, directory.ts, topics.ts …), each
 * a class over the backend's connection. `composeStore` binds the parts' methods into the
 * single Store object the services receive; `StoreParts` has the compiler check each part
 * against its concern's interface, so that together they cover the whole Store.
 */
import type { Store, StoreParts } from "./store.ts";

export function composeStore(parts: StoreParts): Store {
  const result: Record<string, unknown> = {};
  for (const part of Object.values(parts) as object[]) {
    const plain = Object.getPrototypeOf(part) === Object.prototype;
    if (plain) {
      for (const [name, value] of Object.entries(part)) {
        if (name in result) throw new Error(`store parts both define ${name}`);
        result[name] = typeof value === "function" ? value.bind(part) : value;
      }
      continue;
    }
    const own = new Set<string>();
    for (let proto = Object.getPrototypeOf(part); proto && proto !== Object.prototype; ) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        const value = (part as Record<string, unknown>)[name];
        // Walking from the subclass up, the first definition of a name is the override.
        if (name === "constructor" || typeof value !== "function" || own.has(name)) continue;
        if (name in result) throw new Error(`store parts both define ${name}`);
        own.add(name);
        result[name] = value.bind(part);
      }
      proto = Object.getPrototypeOf(proto);
    }
  }
  return result as unknown as Store;
}
