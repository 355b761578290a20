/** The report: one Markdown table (pastes straight into docs/PERFORMANCE.md) and its notes. */
import type { BenchReport, Row, Target } from "./harness.ts";

const COLUMNS = [
  "case",
  "req/s",
  "p50",
  "p99",
  "server CPU/req",
  "server RSS",
  "baseline",
  "ratio",
  "target",
  "",
  "detail",
];
/** Right-aligned (numeric) columns. */
const NUMERIC = new Set([1, 2, 3, 4, 5]);

function rate(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function ms(n: number): string {
  if (n >= 1000) return `${(n / 1000).toFixed(2)} s`;
  return `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
}

function mb(bytes: number | null): string {
  return bytes === null ? "n/a" : `${Math.round(bytes / 1024 / 1024)} MB`;
}

function describeTarget(target: Target | undefined): string {
  const parts: string[] = [];
  if (target?.minRate !== undefined) parts.push(`≥ ${rate(target.minRate)}/s`);
  if (target?.minRatio !== undefined) parts.push(`≥ ${target.minRatio.toFixed(2)}x`);
  if (target?.maxP50Ms !== undefined) parts.push(`p50 < ${rate(target.maxP50Ms)} ms`);
  if (target?.maxP99Ms !== undefined) parts.push(`p99 < ${rate(target.maxP99Ms)} ms`);
  if (target?.maxRssBytes !== undefined) parts.push(`RSS < ${mb(target.maxRssBytes)}`);
  for (const check of target?.checks ?? []) parts.push(check.label);
  return parts.join(", ") || "-";
}

/** PASS / MISS against the target; INVALID when the run had errors, so its rate means nothing. */
export function verdict(row: Row, baseline: Row | undefined): string {
  if (row.non2xx > 0 || row.errors > 0) return "INVALID";
  const { target } = row;
  if (!target) return "";
  const rate = row.reqPerSec ?? 0;
  if (target.minRate !== undefined && rate < target.minRate) return "MISS";
  if (target.maxP50Ms !== undefined && !(row.p50 < target.maxP50Ms)) return "MISS";
  if (target.maxP99Ms !== undefined && !(row.p99 < target.maxP99Ms)) return "MISS";
  if (
    target.maxRssBytes !== undefined &&
    !(row.rssBytes !== null && row.rssBytes < target.maxRssBytes)
  )
    return "MISS";
  if (target.checks?.some((check) => !check.pass)) return "MISS";
  if (target.minRatio !== undefined) {
    if (!baseline?.reqPerSec) return "n/a (baseline not measured)";
    if (rate / baseline.reqPerSec < target.minRatio) return "MISS";
  }
  return "PASS";
}

export function formatReport(report: BenchReport): string {
  const byName = new Map(report.rows.map((r) => [r.name, r]));
  const cells = report.rows.map((row) => {
    const baseline = row.baseline ? byName.get(row.baseline) : undefined;
    const ratio =
      baseline?.reqPerSec && row.reqPerSec !== null
        ? `${(row.reqPerSec / baseline.reqPerSec).toFixed(2)}x`
        : "-";
    return [
      row.name,
      row.reqPerSec === null ? "-" : rate(row.reqPerSec),
      ms(row.p50),
      ms(row.p99),
      row.cpuMicros === null ? "n/a" : `${Math.round(row.cpuMicros)} µs`,
      mb(row.rssBytes),
      row.baseline ?? "-",
      ratio,
      describeTarget(row.target),
      verdict(row, baseline),
      row.detail ?? "",
    ];
  });
  // The detail column only when some row has one.
  const columns = report.rows.some((row) => row.detail) ? COLUMNS : COLUMNS.slice(0, -1);
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (NUMERIC.has(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (NUMERIC.has(i) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  const lines = [line(columns), rule, ...cells.map((row) => line(row.slice(0, columns.length)))];
  for (const row of report.rows) {
    if (row.non2xx > 0 || row.errors > 0)
      lines.push(`! ${row.name}: ${row.statusCodes}, ${row.errors} socket errors/timeouts`);
  }
  for (const note of report.notes) lines.push(`- ${note}`);
  for (const { suite, error } of report.failures)
    lines.push(`! suite ${suite} failed: ${error.message}`);
  return lines.join("\n");
}
