/**
 * Change-stream fan-out under load: N SSE subscribers (in load processes, clients/subscribers.ts)
 * on one node, and a steady rate of presence changes (SaveAll of one entry each) sent from this
 * process to a node (the same one, or another node of a cluster). For every change it measures
 * the time from the save to its event arriving at each subscriber, both from when the save was
 * sent and from when its 204 arrived; the server's RSS before and with the subscribers; its CPU
 * per change; and the streams it dropped as too slow.
 */

import { now, observe, Saver, sleep } from "./fanout-traffic.ts";
import { HISTOGRAM, type Histogram } from "./histogram.ts";
import { percentile } from "./load.ts";
import { readRssBytes, watchProcess } from "./proc.ts";
import type { ServerInfo, ServerProcess } from "./processes.ts";

export interface AppNode extends ServerProcess<ServerInfo & { ticket: string; users: number }> {}

export interface FanOutOptions {
  /** Where the saves go. */
  saveTo: AppNode;
  /** Where the subscribers (and the observer that maps saves to event ids) listen. */
  streamFrom: AppNode;
  subscribers: number;
  /** Load processes holding the subscribers. */
  loadProcesses: number;
  /** Saves per second, one changed entry each. */
  rate: number;
  warmupSeconds: number;
  seconds: number;
  spawn(label: string): Promise<ServerProcess>;
  progress(text: string): void;
}

export interface FanOutResult {
  savesPerSec: number;
  saves: number;
  failedSaves: number;
  /** Latency percentiles, ms, from the save being sent and from its 204 arriving. */
  fromSent: { p50: number; p99: number };
  fromDone: { p50: number; p99: number };
  /** The saves themselves: sent to 204, ms. */
  save: { p50: number; p99: number };
  received: number;
  missing: number;
  /** Streams the server dropped as too slow (its metric), and streams closed under the clients. */
  dropped: number;
  closed: number;
  opened: number;
  failedOpens: number;
  openSeconds: number;
  rssBefore: number | null;
  rssWith: number | null;
  rssPeak: number | null;
  cpuMicrosPerSave: number | null;
  /** CPU used while measuring, in cores: the server(s), and the load (this process and the subscribers'). */
  serverCpuShare: number | null;
  loadCpuShare: number;
}

const STREAM = "/api/v1/Presence/Stream";

type Reply = { type: string; error?: string; [key: string]: unknown };

/** Sends one message to a load process and waits for its answer. */
function ask(child: ServerProcess, message: { type: string; [key: string]: unknown }) {
  return new Promise<Reply>((resolve, reject) => {
    const onMessage = (reply: Reply) => {
      if (reply.type !== message.type) return;
      child.child.off("message", onMessage);
      if (reply.error) reject(new Error(`${child.label}: ${reply.error}`));
      else resolve(reply);
    };
    child.child.on("message", onMessage);
    child.child.send(message);
  });
}

async function droppedStreams(node: AppNode): Promise<number> {
  const response = await fetch(`${node.info.url}/metrics`, {
    headers: { authorization: `SoTicket ${node.info.ticket}` },
  });
  const match = /^chat_presence_stream_dropped (\d+)/m.exec(await response.text());
  return match ? Number(match[1]) : 0;
}

export async function measureFanOut(options: FanOutOptions): Promise<FanOutResult> {
  const { saveTo, streamFrom } = options;
  const headers = { authorization: `SoTicket ${streamFrom.info.ticket}` };
  const loaders: ServerProcess[] = [];
  for (let i = 0; i < options.loadProcesses; i++)
    loaders.push(await options.spawn(`subscribers ${i + 1}`));
  const saver = new Saver(saveTo, saveTo.info.users);
  await saver.sync();
  const droppedBefore = await droppedStreams(streamFrom);
  await sleep(300);
  const rssBefore = readRssBytes(streamFrom.pid);

  // Open the subscribers, split across the load processes.
  const openStarted = now();
  const share = (i: number) =>
    Math.floor(options.subscribers / loaders.length) +
    (i < options.subscribers % loaders.length ? 1 : 0);
  const opens = await Promise.all(
    loaders.map((loader, i) =>
      ask(loader, {
        type: "open",
        url: streamFrom.info.url,
        path: STREAM,
        headers,
        count: share(i),
      }),
    ),
  );
  const openSeconds = (now() - openStarted) / 1000;
  const opened = opens.reduce((n, o) => n + (o.opened as number), 0);
  const failedOpens = opens.reduce((n, o) => n + (o.failed as number), 0);
  options.progress(
    `${opened} streams open in ${openSeconds.toFixed(1)} s${failedOpens ? `, ${failedOpens} failed (${opens.flatMap((o) => o.errors as string[]).join("; ")})` : ""}`,
  );
  await sleep(500);
  const rssWith = readRssBytes(streamFrom.pid);

  // The observer maps each save to its event id (the history id) by user and new state.
  const observer = await observe(`${streamFrom.info.url}${STREAM}`, headers, (id, data) => {
    const change = JSON.parse(data) as { UserId: number; Present: boolean };
    const save = saver.awaiting.get(`${change.UserId}:${change.Present}`)?.shift();
    if (save) save.version = id;
  });

  try {
    if (options.warmupSeconds > 0)
      await saver.run(options.rate, now() + options.warmupSeconds * 1000);
    await Promise.all(loaders.map((loader) => ask(loader, { type: "reset" })));
    const watches = [...new Set([saveTo.pid, streamFrom.pid])].map((pid) => watchProcess(pid));
    const loadWatches = [process.pid, ...loaders.map((l) => l.pid)].map((pid) => watchProcess(pid));
    const started = now();
    const saves = await saver.run(options.rate, started + options.seconds * 1000);
    const elapsed = (now() - started) / 1000;
    // Every event should be out within a second; wait for the observer to have them all.
    const deadline = now() + 5_000;
    while (saves.some((s) => s.version === null && s.done > 0) && now() < deadline) await sleep(20);
    await sleep(1_000);
    const used = watches.map((w) => w.stop());
    const loadCpu = loadWatches.map((w) => w.stop().cpuSeconds ?? 0);
    const measuredSeconds = (now() - started) / 1000;
    const measured = saves.filter((s) => s.version !== null);
    const saveTimes = saves
      .filter((s) => s.done > 0)
      .map((s) => s.done - s.sent)
      .sort((x, y) => x - y);
    const answers = await Promise.all(
      loaders.map((loader) =>
        ask(loader, {
          type: "results",
          saves: measured.map((s) => [s.version, s.sent, s.done]),
        }),
      ),
    );
    const fromSent: Histogram = new Map();
    const fromDone: Histogram = new Map();
    for (const answer of answers) {
      HISTOGRAM.merge(fromSent, answer.fromSent as [number, number][]);
      HISTOGRAM.merge(fromDone, answer.fromDone as [number, number][]);
    }
    const cpu = used.every((u) => u.cpuSeconds !== null)
      ? used.reduce((n, u) => n + (u.cpuSeconds as number), 0)
      : null;
    const rssPeak = used.reduce<number | null>(
      (peak, u) => (u.rssBytes === null ? peak : Math.max(peak ?? 0, u.rssBytes)),
      null,
    );
    return {
      savesPerSec: saves.length / elapsed,
      saves: saves.length,
      failedSaves: saver.failed + (saves.length - measured.length),
      fromSent: {
        p50: HISTOGRAM.percentile(fromSent, 0.5),
        p99: HISTOGRAM.percentile(fromSent, 0.99),
      },
      fromDone: {
        p50: HISTOGRAM.percentile(fromDone, 0.5),
        p99: HISTOGRAM.percentile(fromDone, 0.99),
      },
      save: { p50: percentile(saveTimes, 0.5), p99: percentile(saveTimes, 0.99) },
      received: answers.reduce((n, a) => n + (a.received as number), 0),
      missing: answers.reduce((n, a) => n + (a.missing as number), 0),
      closed: answers.reduce((n, a) => n + (a.closed as number), 0),
      dropped: (await droppedStreams(streamFrom)) - droppedBefore,
      opened,
      failedOpens,
      openSeconds,
      rssBefore,
      rssWith,
      rssPeak,
      cpuMicrosPerSave: cpu === null || saves.length === 0 ? null : (cpu / saves.length) * 1e6,
      serverCpuShare: cpu === null ? null : cpu / measuredSeconds,
      loadCpuShare: loadCpu.reduce((a, b) => a + b, 0) / measuredSeconds,
    };
  } finally {
    observer.destroy();
    saver.close();
    await Promise.all(loaders.map((loader) => ask(loader, { type: "close" }).catch(() => null)));
  }
}
