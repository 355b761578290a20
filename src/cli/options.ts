/** Option parsing shared by the CLI commands. */
import { isIP } from "node:net";
import { InvalidArgumentError } from "commander";
import { parseRange } from "../domain/webhook-target.ts";
import type { XmlLimits } from "../http/codecs/xml.ts";
import { normalizeBasePath } from "../http/route.ts";
import { TRUSTED_NAMES } from "../http/trust-proxy.ts";
import { createServices, type Services } from "../service/services.ts";
import { openStore } from "../store/open.ts";

export const DEFAULT_DB = process.env.DATABASE_URL ?? "data/chat-presence.db";

export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
}

/** An address range such as 10.1.0.0/16 or fd00::/8 (a single address is its own range). */
export function cidr(value: string): string {
  if (!parseRange(value))
    throw new InvalidArgumentError("expected an address range such as 10.1.0.0/16 or fd00::/8");
  return value.trim();
}

/** `--base-path`: a site path such as /SuperOffice ("/" is the root). */
export function basePath(value: string): string {
  try {
    return normalizeBasePath(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** A whole number from 1 up. */
export function positive(value: string): number {
  const n = integer(value);
  if (n === 0) throw new InvalidArgumentError("expected a whole number from 1 up");
  return n;
}

/** `--trust-proxy` values: a hop count, or a comma-separated list of addresses and CIDRs. */
export function trustProxy(value: string): number | string[] {
  if (/^\d+$/.test(value.trim())) return integer(value.trim());
  const entries = value.split(",").map((entry) => entry.trim());
  for (const entry of entries) {
    if (!isTrustedProxyEntry(entry))
      throw new InvalidArgumentError(
        `${JSON.stringify(entry)} is not a hop count, an IP address, a CIDR or one of ${TRUSTED_NAMES.join(", ")}`,
      );
  }
  return entries;
}

function isTrustedProxyEntry(entry: string): boolean {
  if (TRUSTED_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const XML_LIMIT_NAMES: Record<string, keyof XmlLimits> = {
  depth: "maxDepth",
  nodes: "maxNodes",
  attributes: "maxAttributes",
  text: "maxTextLength",
  markup: "maxMarkup",
};

/** "depth=16,nodes=5000" → those XML limits; the others keep their defaults. */
export function xmlLimits(value: string): Partial<XmlLimits> {
  const limits: Partial<XmlLimits> = {};
  for (const part of value.split(",")) {
    const [name, number] = part.split("=").map((s) => s.trim());
    const key = Object.hasOwn(XML_LIMIT_NAMES, name) ? XML_LIMIT_NAMES[name] : undefined;
    const n = Number(number);
    if (!key || !Number.isInteger(n) || n < 1) {
      throw new InvalidArgumentError(
        `expected name=number pairs with names ${Object.keys(XML_LIMIT_NAMES).join(", ")}`,
      );
    }
    limits[key] = n;
  }
  return limits;
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
