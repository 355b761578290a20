/** Store calls reported to an observer, for metrics: the store knows nothing of Prometheus. */
import type { Store } from "./store.ts";

/** Told that an operation starts; the function it returns is called once it has ended. */
export type StoreObserver = (operation: string) => (failed: boolean) => void;

/**
 * The store with every method call reported to `observe` (/metrics times them). A Proxy over
 * the store object, so any member a caller reaches is covered; wrappers are made once per method.
 */
export function instrumentStore<S extends Store>(store: S, observe: StoreObserver): S {
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      let wrapper = wrappers.get(property);
      if (!wrapper) {
        const operation = property;
        wrapper = function timed(this: unknown, ...args: unknown[]) {
          const end = observe(operation);
          let result: unknown;
          try {
            // Looked up per call, so a method replaced on the store later is the one timed.
            const current = Reflect.get(target, operation) as (...a: unknown[]) => unknown;
            result = current.apply(target, args);
          } catch (error) {
            end(true);
            throw error;
          }
          if (result instanceof Promise) {
            return result.then(
              (ok) => {
                end(false);
                return ok;
              },
              (error: unknown) => {
                end(true);
                throw error;
              },
            );
          }
          end(false);
          return result;
        };
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}
