/**
 * Change-stream fan-out. 1,000 SSE subscribers on one app server (1,000 users in 20
 * topics), held by two load processes, and 200 presence changes a second (SaveAll of one entry
 * each) from this process. Latency runs from the save's 204 arriving to the event arriving at
 * each subscriber (and, in the detail, from the save being sent: that adds the save's own time).
 * Targets: p99 under 50 ms, no stream dropped, no event missing.
 */
import { type AppNode, measureFanOut } from "../lib/fanout.ts";
import type { Suite } from "../lib/harness.ts";

export const SUBSCRIBERS = 1000;
export const RATE = 200;
export const FAN_OUT = `Stream fan-out (${SUBSCRIBERS.toLocaleString("en-US")} subscribers, ${RATE} changes/s)`;

export const streamSuite: Suite = {
  name: "stream",
  async run(ctx) {
    if (!ctx.wants(FAN_OUT)) return;
    const { quick, duration, warmup, logLevel } = ctx.options;
    const app: AppNode = await ctx.spawn("app", "servers/app.ts", {
      args: ["--users", "1000", "--topics", "20", "--log-level", logLevel],
      profile: true,
    });
    const result = await measureFanOut({
      saveTo: app,
      streamFrom: app,
      subscribers: SUBSCRIBERS,
      loadProcesses: 2,
      rate: RATE,
      warmupSeconds: quick ? Math.min(warmup, 0.5) : warmup,
      seconds: duration,
      spawn: (label) => ctx.spawn(label, "clients/subscribers.ts"),
      progress: (text) => ctx.progress(text),
    });
    const perSubscriber =
      result.rssBefore !== null && result.rssWith !== null
        ? (result.rssWith - result.rssBefore) / result.opened
        : null;
    ctx.record({
      name: FAN_OUT,
      server: app.label,
      reqPerSec: result.savesPerSec,
      p50: result.fromDone.p50,
      p99: result.fromDone.p99,
      cpuMicros: result.cpuMicrosPerSave,
      rssBytes: result.rssPeak,
      non2xx: result.failedSaves + result.failedOpens,
      target: {
        maxP99Ms: 50,
        checks: [
          { label: "0 dropped", pass: result.dropped === 0 && result.closed === 0 },
          { label: "0 missing", pass: result.missing === 0 },
        ],
      },
      detail:
        `${result.opened} subscribers, ${perSubscriber === null ? "n/a" : `${Math.round(perSubscriber / 1024)} KB`} RSS each; ` +
        `from sending the save: p50 ${result.fromSent.p50.toFixed(1)} ms, p99 ${result.fromSent.p99.toFixed(1)} ms ` +
        `(the save: p50 ${result.save.p50.toFixed(1)} ms, p99 ${result.save.p99.toFixed(1)} ms); ` +
        `${result.received.toLocaleString("en-US")} events, ${result.missing} missing, ${result.dropped} dropped; ` +
        `CPU in cores: server ${result.serverCpuShare?.toFixed(2) ?? "n/a"}, load processes ${result.loadCpuShare.toFixed(2)}`,
    });
    ctx.note(
      "stream fan-out: p50/p99 from the save's 204 arriving to the event at each subscriber (CLOCK_MONOTONIC in both processes); " +
        `CPU/req is server CPU per change, fan-out included; RSS per subscriber is (RSS with the streams open − RSS before) / ${SUBSCRIBERS}`,
    );
  },
};
