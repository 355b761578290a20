/** Whether the server can serve: what /readyz asks, without handing the store to HTTP. */
import type { Store } from "../store/store.ts";

export class HealthService {
  constructor(private readonly store: Pick<Store, "ping">) {}

  /** A cheap round trip to the store; throws when it cannot be reached. */
  ping(): Promise<void> {
    return this.store.ping();
  }
}
