/**
 * The routing sweep: every second it lapses expired offers, withdraws offers that can no longer
 * be accepted, and routes every topic in Offer or Assign mode. Each node's own offers also
 * lapse by a timer at their ExpiresAt; the sweep is what catches the rest: offers of a node
 * that stopped, and changes other nodes made (their pick-ups, agents going away there).
 */
import type { Services } from "../service/services.ts";
import { every } from "./maintenance.ts";

export interface RoutingSweepOptions {
  intervalMs: number;
  onError: (error: unknown) => void;
}

export const ROUTING_SWEEP_MS = 1_000;

/** Starts the sweep; the stopper also clears this node's lapse timers. */
export function startRoutingSweep(services: Services, options: RoutingSweepOptions): () => void {
  services.routing.onError = options.onError;
  const stop = every(options.intervalMs, () => services.routing.sweep(), options.onError);
  return () => {
    stop();
    services.routing.stop();
  };
}
