/**
 * How many change streams may be open. Each stream holds a socket, so the server-wide bound
 * comes from the process's open-file limit, less a reserve that keeps the API, the store and
 * the webhook worker answering while streams are at their limit.
 */
import { readFileSync } from "node:fs";

export interface StreamLimits {
  /** Streams one user may have open at once (default 20). */
  maxPerUser: number;
  /** Streams open at once in all (default: from the open-file limit). */
  maxTotal: number;
}

export const DEFAULT_STREAMS_PER_USER = 20;
/** The open-file limit assumed where it cannot be read (not Linux, or "unlimited"). */
export const FALLBACK_OPEN_FILES = 1024;
/** File descriptors kept back from streams: at least this many, or a quarter of the limit. */
export const MIN_FD_RESERVE = 256;

/** The soft open-file limit from /proc/self/limits, or null where there is none to read. */
export function openFileLimit(limitsText = readLimits()): number | null {
  const line = limitsText?.split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  return soft && /^\d+$/.test(soft) ? Number(soft) : null;
}

function readLimits(): string | null {
  try {
    return readFileSync("/proc/self/limits", "utf8");
  } catch {
    return null;
  }
}

/** Streams the server admits in all when the open-file limit is `openFiles`. */
export function totalStreamLimit(openFiles = openFileLimit() ?? FALLBACK_OPEN_FILES): number {
  const reserve = Math.max(MIN_FD_RESERVE, Math.ceil(openFiles / 4));
  return Math.max(1, openFiles - reserve);
}

export function streamLimits(options: Partial<StreamLimits> = {}): StreamLimits {
  return {
    maxPerUser: options.maxPerUser ?? DEFAULT_STREAMS_PER_USER,
    maxTotal: options.maxTotal ?? totalStreamLimit(),
  };
}
