/**
 * Baselines: bare Fastify (no logger, no hooks, no auth) serving what the app serves.
 *   GET  /api/v1/Presence/GetAll   the bytes and headers in --getall-file (JSON: { headers, body })
 *   POST /api/v1/Presence/SaveAll  Fastify's own JSON parser, then 204
 * Sends { url }.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import Fastify from "fastify";

const { values } = parseArgs({ options: { "getall-file": { type: "string" } } });

const app = Fastify({ logger: false });
const file = values["getall-file"];
if (file) {
  const saved = JSON.parse(readFileSync(file, "utf8")) as {
    headers: Record<string, string>;
    body: string;
  };
  const body = Buffer.from(saved.body, "base64");
  app.get("/api/v1/Presence/GetAll", (_request, reply) => {
    reply.headers(saved.headers).send(body);
  });
}
app.post("/api/v1/Presence/SaveAll", (request, reply) => {
  if (!Array.isArray(request.body)) return reply.code(400).send();
  reply.code(204).send();
});
const url = await app.listen({ port: 0, host: "127.0.0.1" });

async function shutdown() {
  await app.close();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.on("disconnect", shutdown);
process.send?.({ url });
