/**
 * Which reverse proxies are trusted to report the client: their X-Forwarded-For hop, and
 * X-Forwarded-Proto/-Host, are believed; the client is the nearest hop not trusted. A hop the
 * client wrote itself is never nearer than a trusted proxy's, so it cannot choose its address.
 */
import type { FastifyServerOptions } from "fastify";

/**
 * `true` trusts a proxy on this host (loopback); a number trusts that many hops nearest the
 * server, whatever their address; a list trusts those addresses, CIDR ranges or the names
 * loopback, linklocal and uniquelocal. Absent, false or 0 trusts nothing.
 */
export type TrustProxySetting = boolean | number | readonly string[];

export const TRUSTED_NAMES = ["loopback", "linklocal", "uniquelocal"];

export function fastifyTrustProxy(setting?: TrustProxySetting): FastifyServerOptions["trustProxy"] {
  if (setting === undefined || setting === false || setting === 0) return false;
  if (setting === true) return ["loopback"];
  if (typeof setting === "number") {
    // A function, not the number: Fastify takes a bare hop count as trusting no one at all.
    const hops = setting;
    return (_address: string, hop: number) => hop < hops;
  }
  return [...setting];
}
