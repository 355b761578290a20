/**
 * The options of `chat-presence serve`, in the order its help lists them: flags, help text,
 * and, where given, how the value is read and what it is when absent.
 */
import type { Command } from "commander";
import { MAX_ODATA_LENGTH } from "../http/rest/odata-query.ts";
import {
  basePath,
  cidr,
  DEFAULT_DB,
  duration,
  integer,
  positive,
  trustProxy,
  xmlLimits,
} from "./options.ts";

/** Reads a value (a repeatable option also gets the list so far). */
type Parse = (value: string, previous: string[]) => unknown;
type AnyParse = (value: string, previous: unknown) => unknown;
/** A text or flag in the parser's place is the default of an option taken as it is written. */
type OptionRow = [
  flags: string,
  description: string,
  parse?: Parse | string | boolean,
  fallback?: unknown,
];

const SERVE_OPTIONS: OptionRow[] = [
  ["--port <port>", "TCP port (env PORT)", integer, Number(process.env.PORT ?? 8080)],
  ["--host <host>", "address to bind (env HOST)", process.env.HOST ?? "127.0.0.1"],
  ["--db <location>", "SQLite file path or postgres:// URL (env DATABASE_URL)", DEFAULT_DB],
  ["--seed <file>", "import this directory file at start (upsert)"],
  ["--online", "SuperOffice Online rules: SO-AppToken required, Basic refused"],
  ["--demo", "load a small demo directory into an empty store"],
  ["--signin-user-limit <failures>", "failed sign-ins that lock a username", positive, 5],
  ["--signin-address-limit <failures>", "failed sign-ins that lock an address", positive, 30],
  ["--signin-lock <seconds>", "first sign-in lock; each further failure doubles it", positive, 1],
  ["--signin-max-lock <seconds>", "longest sign-in lock", positive, 900],
  [
    "--presence-ttl <seconds>",
    "Present=true lapses unless renewed within this many seconds (off by default)",
    integer,
  ],
  [
    "--history-retention <days>",
    "days of presence history to keep; 0 keeps it for ever",
    integer,
    30,
  ],
  [
    "--trust-proxy [proxies]",
    "honour X-Forwarded-* from these proxies: a hop count or addresses/CIDRs, comma-separated; bare: loopback",
    trustProxy,
  ],
  ["--streams-per-user <n>", "change streams one user may have open", positive, 20],
  [
    "--stream-limit <n>",
    "change streams open in all (default: the open-file limit less a reserve)",
    positive,
  ],
  [
    "--stream-resume-events <n>",
    "a non-admin's stream resumes at most this many events back",
    positive,
    10_000,
  ],
  [
    "--stream-resume-window <duration>",
    "a non-admin's stream resumes only over events this recent (30s, 15m, 1h)",
    duration,
    15 * 60_000,
  ],
  [
    "--base-path <path>",
    "serve every route, SOAP endpoint and the dashboard under this site path (/SuperOffice)",
    basePath,
    "",
  ],
  ["--body-limit <bytes>", "largest request body accepted", integer, 1024 * 1024],
  [
    "--odata-max-length <chars>",
    "longest value of each OData parameter ($filter, $orderBy, $select, $top, $skip)",
    integer,
    MAX_ODATA_LENGTH,
  ],
  [
    "--xml-limits <list>",
    "XML body limits, any of depth=32,nodes=20000,attributes=1000,text=65536,markup=40000",
    xmlLimits,
  ],
  ["--message-max-length <chars>", "longest chat message text", positive, 4000],
  ["--messages-per-session <n>", "most messages one chat session may hold", positive, 5000],
  ["--messages-page <n>", "most messages in one GetChatMessages answer", positive, 1000],
  ["--log-level <level>", "fatal, error, warn, info, debug", process.env.LOG_LEVEL ?? "info"],
  [
    "--metrics-token <token>",
    "a token that may read /metrics as Authorization: Bearer (env METRICS_TOKEN)",
    process.env.METRICS_TOKEN,
  ],
  [
    "--cors-origin <origin>",
    "allow browser calls from this origin (repeatable; env CORS_ORIGINS, comma-separated)",
    (value: string, list: string[]) => [...list, value],
    (process.env.CORS_ORIGINS ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
  ],
  ["--webhook-limit <count>", "the most webhooks that may be registered", integer, 100],
  ["--webhook-timeout <seconds>", "time for a whole webhook attempt", positive, 5],
  [
    "--webhook-in-flight <count>",
    "webhook sends in flight at once per webhook, per node",
    positive,
    4,
  ],
  [
    "--webhook-pool <count>",
    "webhook sends in flight at once per node beyond each webhook's first",
    integer,
    16,
  ],
  [
    "--webhook-allow-private",
    "let webhooks point at loopback, private and link-local addresses (receivers on premises)",
  ],
  [
    "--webhook-allow <cidr>",
    "let webhooks point at this private range, such as 10.1.0.0/16 (repeatable)",
    (value: string, list: string[]) => [...list, cidr(value)],
    [] as string[],
  ],
  [
    "--public-availability",
    "let anonymous callers (chat widgets) read GET /api/v1/Availability (env PUBLIC_AVAILABILITY=1)",
    process.env.PUBLIC_AVAILABILITY === "1" || process.env.PUBLIC_AVAILABILITY === "true",
  ],
  ["--request-timeout <seconds>", "time to receive a whole request", integer, 30],
  ["--headers-timeout <seconds>", "time to receive the request headers", integer, 10],
  [
    "--shutdown-timeout <seconds>",
    "on SIGTERM, how long in-flight requests may finish before connections are cut",
    integer,
    10,
  ],
];

/** Declares every `serve` option on `command`; a row without a parser gives a plain default. */
export function addServeOptions(command: Command): Command {
  for (const [flags, description, parse, fallback] of SERVE_OPTIONS) {
    if (typeof parse === "function")
      command.option(flags, description, parse as AnyParse, fallback);
    else command.option(flags, description, parse);
  }
  return command;
}
