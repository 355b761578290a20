/**
 * Baselines: bare Fastify (no logger, no hooks, no auth) serving what the app serves.
 *   --routes-file FILE  JSON [{ method, path, headers, body }] (body base64): each route answers
 *                       those exact bytes and headers (the app's GetAll, $select, XML answers)
 *   POST /api/v1/Presence/SaveAll  Fastify's own JSON parser, then 204
 * Sends { url }.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import Fastify from "fastify";

const { values } = parseArgs({ options: { "routes-file": { type: "string" } } });

interface CannedRoute {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body: string;
}

const app = Fastify({ logger: false });
const file = values["routes-file"];
if (file) {
  for (const route of JSON.parse(readFileSync(file, "utf8")) as CannedRoute[]) {
    const body = Buffer.from(route.body, "base64");
    app.route({
      method: route.method,
      url: route.path,
      handler: (_request, reply) => {
        reply.headers(route.headers).send(body);
      },
    });
  }
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
