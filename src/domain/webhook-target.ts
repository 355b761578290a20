/**
 * Where webhooks may point. By default a delivery may only reach public addresses: loopback,
 * private, link-local, shared (CGNAT), multicast, reserved and documentation ranges, and this
 * server's own addresses are refused, also when an IPv6 address carries one of them inside
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4). Operators with receivers on their own network
 * allow them all (`allowPrivate`) or by range (`allow`, CIDRs). Pure: addresses in, verdicts out.
 */
import { isIP } from "node:net";

export interface TargetPolicy {
  /** Any address is allowed (receivers on premises). */
  allowPrivate: boolean;
  /** Ranges (CIDR, or single addresses) allowed even though they are private. */
  allow: readonly string[];
  /** The server's own interface addresses, refused unless allowed like private ones. */
  ownAddresses: readonly string[];
}

export const PUBLIC_ONLY: TargetPolicy = { allowPrivate: false, allow: [], ownAddresses: [] };

interface Address {
  family: 4 | 6;
  value: bigint;
}

interface Range {
  family: 4 | 6;
  network: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIPv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((value, part) => (value << 8n) | BigInt(part), 0n);
}

function parseIPv6(text: string): bigint | null {
  // A trailing dotted quad (::ffff:127.0.0.1) is the last two groups written in decimal.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let hex = text;
  if (dotted) {
    const v4 = parseIPv4(dotted[2]);
    if (v4 === null) return null;
    hex = `${dotted[1]}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = hex.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]);
  const back = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - back.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const words = [...head, ...Array(missing).fill("0"), ...back];
  if (words.some((w) => !/^[0-9a-f]{1,4}$/i.test(w))) return null;
  return words.reduce((value, word) => (value << 16n) | BigInt(`0x${word}`), 0n);
}

/** An IP address as a number; null when the text is not one (IPv6 zone ids are dropped). */
export function parseAddress(text: string): Address | null {
  const bare = text.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) {
    const value = parseIPv4(bare);
    return value === null ? null : { family: 4, value };
  }
  if (family === 6) {
    const value = parseIPv6(bare);
    return value === null ? null : { family: 6, value };
  }
  return null;
}

/** "10.0.0.0/8", "fd00::/8" or a single address; null when it is not one. */
export function parseRange(text: string): Range | null {
  const [address, prefixText, extra] = text.trim().split("/");
  if (extra !== undefined) return null;
  const parsed = parseAddress(address);
  if (!parsed) return null;
  const bits = BITS[parsed.family];
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? "0") || prefix > bits) return null;
  const shift = BigInt(bits - prefix);
  return { family: parsed.family, network: (parsed.value >> shift) << shift, prefix };
}

function contains(range: Range, address: Address): boolean {
  if (range.family !== address.family) return false;
  const shift = BigInt(BITS[range.family] - range.prefix);
  return address.value >> shift === range.network >> shift;
}

function ranges(list: [string, string][]): { range: Range; kind: string }[] {
  return list.map(([cidr, kind]) => ({ range: parseRange(cidr) as Range, kind }));
}

const REFUSED = ranges([
  ["0.0.0.0/8", "a 'this network' address"],
  ["10.0.0.0/8", "a private address"],
  ["100.64.0.0/10", "a shared (CGNAT) address"],
  ["127.0.0.0/8", "a loopback address"],
  ["169.254.0.0/16", "a link-local address"],
  ["172.16.0.0/12", "a private address"],
  ["192.0.0.0/24", "an IETF protocol address"],
  ["192.0.2.0/24", "a documentation address"],
  ["192.88.99.0/24", "a 6to4 relay address"],
  ["192.168.0.0/16", "a private address"],
  ["198.18.0.0/15", "a benchmarking address"],
  ["198.51.100.0/24", "a documentation address"],
  ["203.0.113.0/24", "a documentation address"],
  ["224.0.0.0/4", "a multicast address"],
  ["240.0.0.0/4", "a reserved address"],
  ["::/128", "the unspecified address"],
  ["::1/128", "a loopback address"],
  ["100::/64", "a discard address"],
  ["2001::/23", "an IETF protocol address"],
  ["2001:db8::/32", "a documentation address"],
  ["fc00::/7", "a unique local (private) address"],
  ["fe80::/10", "a link-local address"],
  ["fec0::/10", "a site-local address"],
  ["ff00::/8", "a multicast address"],
]);

/** The IPv4 address an IPv6 one stands for (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIPv4(address: Address): Address | null {
  if (address.family !== 6) return null;
  const high = address.value >> 32n;
  const low = address.value & 0xffffffffn;
  if (high === 0xffffn || (high === 0n && low > 1n)) return { family: 4, value: low };
  if (high === 0x0064ff9b0000000000000000n) return { family: 4, value: low };
  if (address.value >> 112n === 0x2002n)
    return { family: 4, value: (address.value >> 80n) & 0xffffffffn };
  return null;
}

function classify(address: Address): string | null {
  for (const { range, kind } of REFUSED) if (contains(range, address)) return kind;
  const inner = embeddedIPv4(address);
  return inner ? classify(inner) : null;
}

function sameAddress(a: Address, b: Address): boolean {
  return a.family === b.family && a.value === b.value;
}

/**
 * Why a delivery may not connect to this address (a short phrase such as "a loopback
 * address"), or null when it may. Anything that does not parse as an address is refused.
 */
export function targetRefusal(text: string, policy: TargetPolicy): string | null {
  if (policy.allowPrivate) return null;
  const address = parseAddress(text);
  if (!address) return "not an IP address";
  const inner = embeddedIPv4(address);
  const forms = inner ? [address, inner] : [address];
  const allowed = policy.allow.map(parseRange).filter((r): r is Range => r !== null);
  if (forms.some((form) => allowed.some((range) => contains(range, form)))) return null;
  const kind = classify(address);
  if (kind) return kind;
  const own = policy.ownAddresses.map(parseAddress).filter((a): a is Address => a !== null);
  if (forms.some((form) => own.some((mine) => sameAddress(mine, form))))
    return "one of this server's own addresses";
  return null;
}
