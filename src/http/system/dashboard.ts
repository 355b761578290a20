/**
 * The dashboard (an extension): a static page, its script modules and stylesheet from web/,
 * read once at start and served with a strict Content-Security-Policy. The page needs no
 * sign-in; the API calls it makes do. Every module the page imports has its entry here.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { RouteSpec } from "../route.ts";

/** src/http (tsx) and dist/http (compiled) both sit two levels below the package root. */
export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "web");

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": DASHBOARD_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const JAVASCRIPT = "text/javascript; charset=utf-8";

interface Asset {
  url: string;
  file: string;
  type: string;
  summary: string;
}

/** A script module of the page, served at /<file>. */
const script = (file: string, summary: string): Asset => ({
  url: `/${file}`,
  file,
  type: JAVASCRIPT,
  summary: `The dashboard's script module ${summary}`,
});

const ASSETS: Asset[] = [
  {
    url: "/",
    file: "index.html",
    type: "text/html; charset=utf-8",
    summary: "The presence dashboard: sign in, see and toggle presence, offers and queues, live",
  },
  script("app.js", "that owns the controls, and the one the page loads"),
  script("dom.js", "of DOM helpers"),
  script("session.js", "for the session and API calls"),
  script("live.js", "that keeps an event stream open"),
  script("stream.js", "for the presence change stream"),
  script("routing-stream.js", "for the routing event stream"),
  script("users.js", "that renders the user list"),
  script("offers.js", "for the agent's offers and load"),
  script("queues.js", "for the queue view of each managed topic"),
  script("chart-data.js", "that reads a topic's chart series from history"),
  script("chart.js", "that draws the SVG chart"),
  ...["style.css", "routing.css"].map((file) => ({
    url: `/${file}`,
    file,
    type: "text/css; charset=utf-8",
    summary: `The dashboard's stylesheet ${file}`,
  })),
];

export function webRoutes(dir: string = WEB_DIR): RouteSpec[] {
  return ASSETS.map((asset) => {
    const body = readFileSync(join(dir, asset.file));
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    return {
      method: "GET",
      url: asset.url,
      operationId: `Dashboard_${asset.file.replace(/\W/g, "_")}`,
      summary: asset.summary,
      tag: "Dashboard",
      auth: false,
      extension: true,
      responses: {
        200: { description: asset.file },
        304: { description: "Not modified since the ETag sent in If-None-Match" },
      },
      async handler(request: FastifyRequest, reply: FastifyReply) {
        reply.headers(SECURITY_HEADERS).header("cache-control", "no-cache").header("etag", etag);
        if (request.headers["if-none-match"] === etag) return reply.code(304).send();
        return reply.type(asset.type).send(body);
      },
    };
  });
}
