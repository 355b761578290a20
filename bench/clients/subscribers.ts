/**
 * A load process holding many SSE subscribers to GET /api/v1/Presence/Stream (run by
 * lib/fanout.ts, bundled and spawned like a server). Each subscriber is a plain TCP socket with a
 * hand-written request, so reading costs as little as possible: a subscriber notes the time each
 * read arrived and the event ids in it, nothing else. Times are CLOCK_MONOTONIC
 * (process.hrtime), the same clock the saving process uses.
 *
 * IPC, parent → child (each answered with a message of the same type):
 *   { type: "open", url, path, headers, count }  open `count` streams; answered once each has
 *                                                 its snapshot (or failed): { opened, failed }
 *   { type: "reset" }                             forget what was received so far
 *   { type: "results", saves: [version, sentMs, doneMs][] }
 *       latencies of those events at every subscriber, as sparse histograms:
 *       { fromSent, fromDone, received, missing, closed }
 *   { type: "close" }                             close every stream
 */
import { connect, type Socket } from "node:net";
import { HISTOGRAM, type Histogram } from "../lib/histogram.ts";

interface OpenMessage {
  type: "open";
  url: string;
  path: string;
  headers: Record<string, string>;
  count: number;
}
type Message =
  | OpenMessage
  | { type: "reset" }
  | { type: "results"; saves: [number, number, number][] }
  | { type: "close" };

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Received events: (subscriber, version, time) in growing columns. */
let size = 0;
let subscriberOf = new Int32Array(1 << 16);
let versionOf = new Float64Array(1 << 16);
let timeOf = new Float64Array(1 << 16);

function note(subscriber: number, version: number, time: number) {
  if (size === versionOf.length) {
    const grow = <T extends Int32Array | Float64Array>(a: T, b: T) => {
      b.set(a);
      return b;
    };
    subscriberOf = grow(subscriberOf, new Int32Array(size * 2));
    versionOf = grow(versionOf, new Float64Array(size * 2));
    timeOf = grow(timeOf, new Float64Array(size * 2));
  }
  subscriberOf[size] = subscriber;
  versionOf[size] = version;
  timeOf[size] = time;
  size++;
}

const sockets: Socket[] = [];
let closedByServer = 0;
let closing = false;
const FRAME = /id: (\d+)\nevent: (\w+)\n/g;

/** Opens one stream; resolves once its snapshot has arrived whole. */
function open(index: number, message: OpenMessage): Promise<void> {
  const { hostname, port } = new URL(message.url);
  const head = [
    `GET ${message.path} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    "accept: text/event-stream",
    ...Object.entries(message.headers).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setEncoding("latin1");
    socket.setNoDelay(true);
    let carry = "";
    let status = 0;
    let live = false;
    socket.on("connect", () => socket.write(head));
    socket.on("data", (data: string) => {
      const time = now();
      let text = carry + data;
      if (status === 0) {
        const line = /^HTTP\/1\.1 (\d+)/.exec(text);
        if (!line) {
          carry = text;
          return;
        }
        status = Number(line[1]);
        if (status !== 200) {
          socket.destroy();
          reject(new Error(`stream answered ${status}: ${text.slice(0, 200)}`));
          return;
        }
      }
      const end = text.lastIndexOf("\n\n");
      if (end < 0) {
        carry = text;
        return;
      }
      carry = text.slice(end + 2);
      text = text.slice(0, end + 2);
      FRAME.lastIndex = 0;
      for (let match = FRAME.exec(text); match; match = FRAME.exec(text)) {
        if (match[2] === "change") note(index, Number(match[1]), time);
        else if (match[2] === "snapshot" && !live) {
          live = true;
          resolve();
        }
      }
    });
    socket.on("error", (error) => reject(error));
    socket.on("close", () => {
      if (!closing) closedByServer++;
      reject(new Error("stream closed"));
    });
    sockets.push(socket);
  });
}

async function openAll(message: OpenMessage) {
  let opened = 0;
  let failed = 0;
  const errors = new Set<string>();
  const first = sockets.length;
  // A few dozen at a time: the server's accept backlog and the snapshot writes stay moderate.
  for (let i = 0; i < message.count; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(message.count, i + 50); j++) batch.push(open(first + j, message));
    for (const outcome of await Promise.allSettled(batch)) {
      if (outcome.status === "fulfilled") opened++;
      else {
        failed++;
        errors.add(String(outcome.reason?.message ?? outcome.reason));
      }
    }
  }
  return { opened, failed, errors: [...errors].slice(0, 3) };
}

function results(saves: [number, number, number][]) {
  const byVersion = new Map(saves.map(([version, sent, done]) => [version, { sent, done }]));
  const fromSent: Histogram = new Map();
  const fromDone: Histogram = new Map();
  let received = 0;
  for (let i = 0; i < size; i++) {
    const save = byVersion.get(versionOf[i]);
    if (!save) continue;
    received++;
    HISTOGRAM.add(fromSent, timeOf[i] - save.sent);
    HISTOGRAM.add(fromDone, timeOf[i] - save.done);
  }
  return {
    fromSent: [...fromSent],
    fromDone: [...fromDone],
    received,
    missing: saves.length * sockets.length - received,
    closed: closedByServer,
  };
}

process.on("message", async (message: Message) => {
  const send = (body: object) => process.send?.({ type: message.type, ...body });
  try {
    if (message.type === "open") send(await openAll(message));
    else if (message.type === "reset") {
      size = 0;
      send({});
    } else if (message.type === "results") send(results(message.saves));
    else if (message.type === "close") {
      closing = true;
      for (const socket of sockets) socket.destroy();
      send({});
    }
  } catch (error) {
    send({ error: String(error) });
  }
});
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
process.send?.({ url: "" });
