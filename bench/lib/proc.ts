/** What a server process costs, from /proc (Linux only; null elsewhere). */
import { readFileSync } from "node:fs";

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat, 100 on every mainstream Linux. */
const TICKS_PER_SECOND = 100;

export function readRssBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) the process has used so far. */
export function readCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Watches a process until stopped: peak RSS (sampled every `everyMs`) and CPU time used. */
export function watchProcess(pid: number, everyMs = 250) {
  const cpuAtStart = readCpuSeconds(pid);
  let peak: number | null = null;
  const sample = () => {
    const now = readRssBytes(pid);
    if (now !== null && (peak === null || now > peak)) peak = now;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop(): { rssBytes: number | null; cpuSeconds: number | null } {
      clearInterval(timer);
      sample();
      const cpuAtEnd = readCpuSeconds(pid);
      return {
        rssBytes: peak,
        cpuSeconds: cpuAtStart === null || cpuAtEnd === null ? null : cpuAtEnd - cpuAtStart,
      };
    },
  };
}
