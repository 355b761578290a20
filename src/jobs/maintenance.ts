/**
 * Background upkeep of live presence: heartbeat expiry (checked several times a second, so a
 * lapse lands within a second of its deadline) and retention of presence history and routing
 * events (hourly).
 */
import type { Services } from "../service/services.ts";

export interface MaintenanceOptions {
  expiryIntervalMs: number;
  purgeIntervalMs: number;
  onError: (error: unknown) => void;
}

/** Runs `task` every `intervalMs`, never two at once; returns a stopper. */
export function every(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export function startMaintenance(services: Services, options: MaintenanceOptions): () => void {
  const stops = [
    every(options.expiryIntervalMs, () => services.presence.expireDue(), options.onError),
    every(options.purgeIntervalMs, () => services.history.purgeExpired(), options.onError),
    every(options.purgeIntervalMs, () => services.routingEvents.purgeExpired(), options.onError),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
