/**
 * Who sends next: fair turns between webhooks. Every webhook with due deliveries and nothing
 * in flight gets one send of its own, whatever the others do, so receivers that hang can
 * never starve a healthy one. The shared pool is handed out one send at a time round-robin,
 * starting after the webhook that was served last, up to a per-webhook limit; a failing
 * receiver gets one send (a probe) at a time until it answers again.
 */
import type { DueWebhook } from "../store/webhooks.ts";

export interface TurnLimits {
  /** Sends in flight at most per webhook (on this node). */
  perWebhook: number;
  /** Sends beyond each webhook's first that may be in flight at once (on this node). */
  sharedPool: number;
}

export interface Turns {
  /** How many deliveries to claim per webhook. */
  plan: { webhookId: number; limit: number }[];
  /** The webhook served last, where the next round starts after. */
  last: number;
}

/** Shared-pool sends in use: every in-flight send beyond a webhook's first. */
export function sharedInUse(inFlight: ReadonlyMap<number, number>): number {
  let used = 0;
  for (const count of inFlight.values()) used += Math.max(0, count - 1);
  return used;
}

export function planTurns(
  due: readonly DueWebhook[],
  inFlight: ReadonlyMap<number, number>,
  limits: TurnLimits,
  after: number,
): Turns {
  const ordered = [...due].sort((a, b) => a.webhookId - b.webhookId);
  const start = ordered.findIndex((w) => w.webhookId > after);
  const turn = start <= 0 ? ordered : [...ordered.slice(start), ...ordered.slice(0, start)];
  const granted = new Map<number, number>();
  let pool = limits.sharedPool - sharedInUse(inFlight);
  let last = after;
  for (let progress = true; progress; ) {
    progress = false;
    for (const webhook of turn) {
      const mine = granted.get(webhook.webhookId) ?? 0;
      const busy = (inFlight.get(webhook.webhookId) ?? 0) + mine;
      const cap = webhook.failing ? 1 : limits.perWebhook;
      if (busy >= cap || mine >= webhook.due) continue;
      if (busy > 0) {
        if (pool <= 0) continue;
        pool--;
      }
      granted.set(webhook.webhookId, mine + 1);
      last = webhook.webhookId;
      progress = true;
    }
  }
  return {
    plan: [...granted].map(([webhookId, limit]) => ({ webhookId, limit })),
    last,
  };
}
