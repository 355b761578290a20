/**
 * The fan-out benchmark's own traffic: saves sent at a steady rate (each remembered by user and
 * new state until its event id is known), and an observer reading the change stream.
 */
import { Agent, get, request } from "node:http";
import type { AppNode } from "./fanout.ts";

export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface Save {
  key: string;
  sent: number;
  done: number;
  version: number | null;
}

/** Sends saves at a steady rate, flipping users 2..N in turn (user 1 is the admin). */
export class Saver {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  private readonly present: boolean[] = [];
  private next = 0;
  readonly inFlight = new Set<Promise<void>>();
  /** Saves waiting for their event id, by `${UserId}:${Present}`. */
  readonly awaiting = new Map<string, Save[]>();
  failed = 0;

  constructor(
    private readonly node: AppNode,
    private readonly users: number,
  ) {}

  async sync(): Promise<void> {
    const response = await fetch(`${this.node.info.url}/api/v1/Presence/GetAll`, {
      headers: { authorization: `SoTicket ${this.node.info.ticket}`, accept: "application/json" },
    });
    for (const p of (await response.json()) as { UserId: number; Present: boolean }[])
      this.present[p.UserId] = p.Present;
  }

  /** Saves at `rate` per second until `until` (ms, monotonic); returns the saves sent. */
  async run(rate: number, until: number): Promise<Save[]> {
    const saves: Save[] = [];
    const start = now();
    for (let k = 0; ; k++) {
      const due = start + (k * 1000) / rate;
      if (due >= until) break;
      if (due > now()) await sleep(due - now());
      saves.push(this.save());
    }
    await Promise.all(this.inFlight);
    return saves;
  }

  private save(): Save {
    const userId = 2 + (this.next++ % (this.users - 1));
    const present = !this.present[userId];
    this.present[userId] = present;
    const save: Save = { key: `${userId}:${present}`, sent: now(), done: 0, version: null };
    const queue = this.awaiting.get(save.key) ?? [];
    queue.push(save);
    this.awaiting.set(save.key, queue);
    const body = JSON.stringify([{ UserId: userId, Present: present }]);
    const { hostname, port } = new URL(this.node.info.url);
    const done = new Promise<void>((resolve) => {
      const req = request(
        {
          agent: this.agent,
          host: hostname,
          port,
          method: "POST",
          path: "/api/v1/Presence/SaveAll",
          headers: {
            authorization: `SoTicket ${this.node.info.ticket}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (response) => {
          save.done = now();
          if (response.statusCode !== 204) this.failed++;
          response.resume();
          response.on("end", resolve);
        },
      );
      req.on("error", () => {
        this.failed++;
        resolve();
      });
      req.end(body);
    });
    this.inFlight.add(done);
    done.then(() => this.inFlight.delete(done));
    return save;
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Reads a change stream, calling `onChange` with each change event's id and data; resolves once
 * the snapshot is in. (node:http rather than fetch: destroying the request closes the socket at
 * once, where an aborted fetch leaves it open for a while and holds up the server's shutdown.)
 */
export function observe(
  url: string,
  headers: Record<string, string>,
  onChange: (id: number, data: string) => void,
): Promise<{ destroy(): void }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { ...headers, accept: "text/event-stream" } }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`stream answered ${response.statusCode}`));
        req.destroy();
        return;
      }
      response.setEncoding("utf8");
      let buffer = "";
      response.on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          if (event === "snapshot") resolve({ destroy: () => req.destroy() });
          else if (event === "change")
            onChange(
              Number(/^id: (\d+)$/m.exec(frame)?.[1]),
              /^data: (.*)$/m.exec(frame)?.[1] ?? "",
            );
        }
      });
    });
    req.on("error", reject);
  });
}
