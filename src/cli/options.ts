/** Option parsing shared by the CLI commands. */
import { InvalidArgumentError } from "commander";
import { createServices, type Services } from "../service/services.ts";
import { openStore } from "../store/open.ts";

export const DEFAULT_DB = process.env.DATABASE_URL ?? "data/chat-presence.db";

export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30s", "15m", "8h", "2d" → milliseconds. */
export function duration(value: string): number {
  const match = /^(\d+)([smhd])$/.exec(value.trim());
  if (!match || Number(match[1]) === 0)
    throw new InvalidArgumentError("expected a duration such as 30s, 15m, 8h or 2d");
  return Number(match[1]) * UNITS[match[2]];
}

/** Opens the store, runs the work with the services over it, and always closes it. */
export async function withServices<T>(
  db: string,
  work: (services: Services) => Promise<T>,
): Promise<T> {
  const store = await openStore(db);
  try {
    const services = createServices(store);
    // Loaded before the work, so what it changes is detected (and logged for the servers).
    await services.presence.getAll();
    return await work(services);
  } finally {
    await store.close();
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}
