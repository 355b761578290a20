/**
 * The Node.js versions chat-presence runs on, as in package.json's `engines` (a test holds the
 * two together). 20.19 and 22.12 are the first releases of their lines whose require() loads ES
 * modules, which cookie 2 (under Fastify's inject) relies on; 27 and later are past the lines
 * that better-sqlite3 12, a native addon, declares it builds for.
 */
export const SUPPORTED_NODE = "^20.19.0 || >=22.12.0 <27";

/** Why this Node.js version cannot run chat-presence, in one line; null when it can. */
export function unsupportedNode(version) {
  const [major, minor] = version.split(".").map(Number);
  const supported =
    (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || (major > 22 && major < 27);
  if (supported) return null;
  return `chat-presence needs Node.js ${SUPPORTED_NODE}, and this is Node.js ${version}: see "Supported Node.js versions" in the README.`;
}
