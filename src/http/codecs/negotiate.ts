/** Response format from the Accept header: XML only when the client prefers it over JSON. */
export type ResponseFormat =
  | { format: "json"; contentType: string }
  | { format: "xml"; contentType: string };

const JSON_RESPONSE: ResponseFormat = {
  format: "json",
  contentType: "application/json; charset=utf-8",
};

const KNOWN = new Map<string, ResponseFormat>([
  ["application/json", JSON_RESPONSE],
  ["text/json", { format: "json", contentType: "text/json; charset=utf-8" }],
  ["application/json-patch+json", JSON_RESPONSE],
  ["application/merge-patch+json", JSON_RESPONSE],
  ["application/xml", { format: "xml", contentType: "application/xml; charset=utf-8" }],
  ["text/xml", { format: "xml", contentType: "text/xml; charset=utf-8" }],
]);

/** Picks the acceptable type with the highest q (earliest on ties); JSON when nothing fits. */
export function negotiate(accept: string | undefined): ResponseFormat {
  if (!accept) return JSON_RESPONSE;
  // Most clients send one plain type: answered without splitting (this runs on every list read).
  const exact = KNOWN.get(accept);
  if (exact) return exact;
  let best: { format: ResponseFormat; q: number } | undefined;
  for (const part of accept.split(",")) {
    const [type, ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const format =
      KNOWN.get(type.trim()) ?? (type.trim().endsWith("*") ? JSON_RESPONSE : undefined);
    if (format && q > 0 && (!best || q > best.q)) best = { format, q };
  }
  return best?.format ?? JSON_RESPONSE;
}
