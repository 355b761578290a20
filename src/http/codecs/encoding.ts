/**
 * Content-Encoding of request bodies: gzip (also x-gzip) and deflate (the zlib format HTTP
 * names) are decoded as they arrive, before any body parser runs; identity is the body as sent;
 * anything else is a 415. The body limit counts the decoded bytes, and also the bytes received,
 * and decoding stops the moment either passes it: a small body that inflates to gigabytes (a zip
 * bomb) costs one limit's worth of inflating, then a 413.
 */
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { createGunzip, createInflate } from "node:zlib";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { localized, PresenceError } from "../../domain/errors.ts";

const DECODERS: ReadonlyMap<string, () => Transform> = new Map([
  ["gzip", createGunzip],
  ["x-gzip", createGunzip],
  ["deflate", createInflate],
]);

export const SUPPORTED_ENCODINGS = ["gzip", "deflate", "identity"];

function contentEncoding(request: FastifyRequest): string {
  const value = request.headers["content-encoding"];
  return (Array.isArray(value) ? value.join(",") : (value ?? "")).trim().toLowerCase();
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers["content-length"];
  return length !== undefined ? length !== "0" : request.headers["transfer-encoding"] !== undefined;
}

/** Passes decoded bytes on while they stay within the limit; Fastify reads this stream. */
class LimitedBody extends Transform {
  /** Bytes received before decoding: Fastify compares it with Content-Length. */
  receivedEncodedLength = 0;
  private decodedLength = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.decodedLength += chunk.length;
    if (this.decodedLength > this.limit) callback(tooLarge(this.limit));
    else callback(null, chunk);
  }
}

const tooLarge = (limit: number) => new PresenceError("PRES_ERR_TOO_LARGE", { limit });

/** Pipes the raw request through the decoder; an error anywhere stops both and ends the body. */
function decode(raw: Readable, decoder: Transform, limit: number): LimitedBody {
  const body = new LimitedBody(limit);
  const stop = (error: Error) => {
    raw.unpipe(decoder);
    decoder.destroy();
    raw.resume(); // what is still arriving is drained, not kept
    body.destroy(error);
  };
  raw.on("data", (chunk: Buffer) => {
    body.receivedEncodedLength += chunk.length;
    if (body.receivedEncodedLength > limit) stop(tooLarge(limit));
  });
  decoder.on("error", (error) =>
    stop(
      new PresenceError("PRES_ERR_BAD_BODY", {
        detail: localized(
          `the body cannot be decoded as its Content-Encoding says (${error.message})`,
          "innholdet kan ikke dekodes slik Content-Encoding sier",
        ),
      }),
    ),
  );
  body.on("error", (error) => {
    if (!decoder.destroyed) stop(error);
  });
  raw.pipe(decoder).pipe(body);
  return body;
}

export function registerContentEncoding(app: FastifyInstance, bodyLimit: number): void {
  // Callback-style: it runs on every request, and an async hook costs a promise each time.
  app.addHook("preParsing", (request, _reply, payload, done) => {
    const encoding = contentEncoding(request);
    if (encoding === "" || encoding === "identity") return done(null, payload);
    const decoder = DECODERS.get(encoding);
    if (!decoder) {
      const supported = SUPPORTED_ENCODINGS.join(", ");
      return done(new PresenceError("PRES_ERR_ENCODING", { encoding, supported }));
    }
    done(null, hasBody(request) ? decode(payload, decoder(), bodyLimit) : payload);
  });
}
