/**
 * Drives servers with autocannon: a warm-up run each, then measured slices taken in turns
 * (A B A B …) so a noisy neighbour on a shared machine hits a case and its baseline alike.
 */
import autocannon, { type RawRequest } from "autocannon";
import { watchProcess } from "./proc.ts";

export interface LoadSpec {
  method?: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Builds each request's body in turn (for requests that must differ, such as real saves). */
  nextBody?: () => string | Buffer;
  /** Runs before the warm-up and before each measured slice (for example to resynchronise state). */
  beforeRun?: () => Promise<void>;
}

export interface LoadSettings {
  /** Measured seconds, split into `rounds` slices. */
  duration: number;
  /** How many slices the measured time is cut into when cases take turns. */
  rounds: number;
  /** Warm-up seconds before measuring (JIT, caches, SQLite pages); 0 skips it. */
  warmup: number;
  connections: number;
  pipelining: number;
}

export interface Measurement {
  /** 2xx responses per second of the measured run. */
  reqPerSec: number;
  /** Latency percentiles of 2xx responses, ms. */
  p50: number;
  p99: number;
  /** Peak RSS of the server process during the measured run, bytes. */
  rssBytes: number | null;
  /**
   * Server CPU time (user + system) per 2xx response, microseconds: unlike req/s, barely moved
   * by other work on the machine, and 1e6 / cpuMicros is what one core could serve.
   */
  cpuMicros: number | null;
  /** Responses that were not 2xx, and socket errors/timeouts; a clean run has none. */
  non2xx: number;
  errors: number;
  statusCodes: string;
}

/**
 * One run against every node at once, the connections split between them; latencies of 2xx
 * responses are kept exactly (autocannon rounds to 1 ms).
 */
async function fire(urls: string[], spec: LoadSpec, settings: LoadSettings, duration: number) {
  const runs = await Promise.all(
    urls.map((url, i) =>
      fireOne(
        url,
        spec,
        {
          ...settings,
          connections:
            Math.floor(settings.connections / urls.length) +
            (i < settings.connections % urls.length ? 1 : 0),
        },
        duration,
      ),
    ),
  );
  if (runs.length === 1) return runs[0];
  const result = { ...runs[0].result, statusCodeStats: { ...runs[0].result.statusCodeStats } };
  for (const { result: other } of runs.slice(1)) {
    result["2xx"] += other["2xx"];
    result.non2xx += other.non2xx;
    result.errors += other.errors;
    result.timeouts += other.timeouts;
    result.duration = Math.max(result.duration, other.duration);
    for (const [code, { count }] of Object.entries(other.statusCodeStats)) {
      const known = result.statusCodeStats[code];
      result.statusCodeStats[code] = { count: (known?.count ?? 0) + count };
    }
  }
  return { result, latencies: runs.flatMap((r) => r.latencies) };
}

async function fireOne(url: string, spec: LoadSpec, settings: LoadSettings, duration: number) {
  const base: RawRequest = {
    method: spec.method ?? "GET",
    path: spec.path,
    headers: spec.headers,
    body: spec.body,
  };
  const { nextBody } = spec;
  const instance = autocannon({
    url,
    connections: settings.connections,
    pipelining: settings.pipelining,
    duration,
    // A run ends on a sample tick: at the default 1 s, a 0.5 s run would last a whole second.
    sampleInt: 100,
    requests: [
      nextBody ? { ...base, setupRequest: (request) => ({ ...request, body: nextBody() }) } : base,
    ],
  });
  const latencies: number[] = [];
  instance.on("response", (_client, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  return { result, latencies };
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

export interface LoadTarget {
  /** One URL per node; the connections are split between them. */
  urls: string[];
  /** The server processes, for CPU (summed) and RSS (the largest). */
  pids: number[];
  spec: LoadSpec;
  settings: LoadSettings;
}

interface Tally {
  ok: number;
  seconds: number;
  latencies: number[];
  rssBytes: number | null;
  cpuSeconds: number | null;
  non2xx: number;
  errors: number;
  codes: Map<string, number>;
}

/** Measures the targets in turns, each for `rounds` slices of duration / rounds seconds. */
export async function runInterleaved(targets: LoadTarget[]): Promise<Measurement[]> {
  for (const { urls, spec, settings } of targets) {
    if (settings.warmup <= 0) continue;
    await spec.beforeRun?.();
    await fire(urls, spec, settings, settings.warmup);
  }
  const tallies: Tally[] = targets.map(() => ({
    ok: 0,
    seconds: 0,
    latencies: [],
    rssBytes: null,
    cpuSeconds: 0,
    non2xx: 0,
    errors: 0,
    codes: new Map(),
  }));
  const rounds = Math.max(1, ...targets.map((t) => t.settings.rounds));
  for (let round = 0; round < rounds; round++) {
    for (const [i, { urls, pids, spec, settings }] of targets.entries()) {
      const tally = tallies[i];
      await spec.beforeRun?.();
      const watches = pids.map((pid) => watchProcess(pid));
      let run: Awaited<ReturnType<typeof fire>>;
      try {
        run = await fire(urls, spec, settings, settings.duration / rounds);
      } finally {
        for (const watch of watches) {
          const used = watch.stop();
          if (used.rssBytes !== null) tally.rssBytes = Math.max(tally.rssBytes ?? 0, used.rssBytes);
          tally.cpuSeconds =
            tally.cpuSeconds === null || used.cpuSeconds === null
              ? null
              : tally.cpuSeconds + used.cpuSeconds;
        }
      }
      const { result, latencies } = run;
      tally.ok += result["2xx"];
      tally.seconds += result.duration;
      for (const ms of latencies) tally.latencies.push(ms);
      tally.non2xx += result.non2xx;
      tally.errors += result.errors + result.timeouts;
      for (const [code, { count }] of Object.entries(result.statusCodeStats))
        tally.codes.set(code, (tally.codes.get(code) ?? 0) + count);
    }
  }
  return tallies.map((t) => {
    t.latencies.sort((a, b) => a - b);
    return {
      reqPerSec: t.seconds > 0 ? t.ok / t.seconds : 0,
      p50: percentile(t.latencies, 0.5),
      p99: percentile(t.latencies, 0.99),
      rssBytes: t.rssBytes,
      cpuMicros: t.cpuSeconds === null || t.ok === 0 ? null : (t.cpuSeconds / t.ok) * 1e6,
      non2xx: t.non2xx,
      errors: t.errors,
      statusCodes: [...t.codes].map(([code, count]) => `${code}×${count}`).join(" "),
    };
  });
}
