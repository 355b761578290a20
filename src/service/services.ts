/** Wires the service layer over one store: what every protocol adapter and the CLI receive. */
import type { Store } from "../store/store.ts";
import { type AuthOptions, AuthService, DEFAULT_AUTH_OPTIONS } from "./auth.ts";
import { DirectoryService } from "./directory.ts";
import { PresenceService } from "./presence.ts";

export interface Services {
  store: Store;
  auth: AuthService;
  presence: PresenceService;
  directory: DirectoryService;
}

export function createServices(store: Store, auth: Partial<AuthOptions> = {}): Services {
  const presence = new PresenceService(store);
  return {
    store,
    auth: new AuthService(store, { ...DEFAULT_AUTH_OPTIONS, ...auth }),
    presence,
    directory: new DirectoryService(store, presence),
  };
}
