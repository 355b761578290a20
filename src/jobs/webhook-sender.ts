/**
 * One webhook attempt over node:http(s): POST the body, read the answer, and end it all within
 * the timeout. The timer is a plain setTimeout that destroys the request and its socket, so it
 * fires whatever the receiver does: never accepting, accepting and never answering, or
 * trickling bytes forever (the timeout covers the whole attempt, reading the answer included).
 * The receiver's body is read only to reach its end and is never kept.
 *
 * Every address connected to is checked against the target policy by the socket's own DNS
 * lookup, so a name that resolves to a private address (or is rebound to one after the webhook
 * was registered) is refused before any connection is made.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import { type TargetPolicy, targetRefusal } from "../domain/webhook-target.ts";

/** Bytes of an answer read before the rest is dropped: only its status matters. */
const ANSWER_READ_LIMIT = 64 * 1024;
const MAX_ERROR_LENGTH = 500;

export interface Attempt {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  targets: TargetPolicy;
  /** Aborted when the server shuts down. */
  signal: AbortSignal;
}

/** Why an attempt got no usable answer; `shutdown` when the server itself ended it. */
export class AttemptFailure extends Error {
  constructor(
    message: string,
    readonly shutdown = false,
  ) {
    super(message.slice(0, MAX_ERROR_LENGTH));
  }
}

function refusedError(host: string, address: string, refusal: string): AttemptFailure {
  const target = host === address ? address : `${host} resolves to ${address}`;
  return new AttemptFailure(
    `refused: ${target}, ${refusal}; receivers on private networks need --webhook-allow-private or --webhook-allow`,
  );
}

/** A DNS lookup that fails when any address the name resolves to is not allowed. */
export function guardedLookup(targets: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      if (addresses.length === 0)
        return callback(new AttemptFailure(`${hostname} has no address`), "", 0);
      for (const { address } of addresses) {
        const refusal = targetRefusal(address, targets);
        if (refusal) return callback(refusedError(hostname, address, refusal), "", 0);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** The literal address of a URL's host, which a socket connects to without any lookup. */
function literalHost(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return isIP(host) ? host : null;
}

/** A short, secret-free description of a socket or protocol error. */
function describe(error: NodeJS.ErrnoException): string {
  if (error instanceof AttemptFailure) return error.message;
  const message = error.message || String(error);
  return error.code && !message.includes(error.code) ? `${error.code}: ${message}` : message;
}

/** Sends one attempt; resolves with the receiver's status, rejects with an AttemptFailure. */
export function attempt(options: Attempt): Promise<number> {
  const url = new URL(options.url);
  const literal = literalHost(url);
  const refusal = literal ? targetRefusal(literal, options.targets) : null;
  if (literal && refusal) return Promise.reject(refusedError(literal, literal, refusal));
  if (options.signal.aborted)
    return Promise.reject(new AttemptFailure("aborted: the server is shutting down", true));
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let answered = false;
    let settled = false;
    const request = send(url, {
      method: "POST",
      headers: { ...options.headers, "content-length": String(Buffer.byteLength(options.body)) },
      lookup: guardedLookup(options.targets),
      // A fresh connection each time: nothing of one receiver's stays around for the next.
      agent: false,
    });
    const settle = (status: number | null, failure?: AttemptFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
      request.destroy();
      if (failure) reject(failure);
      else resolve(status as number);
    };
    const timer = setTimeout(() => {
      const what = answered ? "the answer was not complete" : "no answer";
      settle(null, new AttemptFailure(`${what} within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    const onAbort = () =>
      settle(null, new AttemptFailure("aborted: the server is shutting down", true));
    options.signal.addEventListener("abort", onAbort, { once: true });
    request.on("error", (error) => settle(null, new AttemptFailure(describe(error))));
    request.on("response", (response: IncomingMessage) => {
      answered = true;
      const status = response.statusCode ?? 0;
      let read = 0;
      response.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > ANSWER_READ_LIMIT) settle(status);
      });
      response.on("end", () => settle(status));
      response.on("error", (error) => settle(null, new AttemptFailure(describe(error))));
      response.on("close", () => {
        if (!response.complete)
          settle(null, new AttemptFailure("the connection closed before the answer was complete"));
      });
    });
    request.end(options.body);
  });
}
