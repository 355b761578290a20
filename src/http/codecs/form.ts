/**
 * application/x-www-form-urlencoded bodies with ASP.NET-style keys, e.g.
 * `ChatPresence[0][UserId]=7`, `ChatPresence[0].Present=true` or `[0][Present]=true`.
 * Produces a tree of null-prototype objects (so `__proto__` keys are plain data); numeric
 * keys become arrays when the schema binder meets them.
 */
export class FormError extends Error {}

/** ASP.NET allows 1,000 (MaxHttpCollectionKeys); 10,000 entries still fit a 1 MiB body. */
const MAX_FIELDS = 10_000;
const MAX_DEPTH = 16;

type Tree = Record<string, unknown>;

export function parseForm(body: string): Tree {
  const root: Tree = Object.create(null);
  // Counted before URLSearchParams splits the whole body, so a flood of fields costs nothing.
  let fields = 1;
  for (let at = body.indexOf("&"); at >= 0; at = body.indexOf("&", at + 1))
    if (++fields > MAX_FIELDS) throw new FormError(`more than ${MAX_FIELDS} form fields`);
  const params = new URLSearchParams(body);
  let count = 0;
  for (const [key, value] of params) {
    if (++count > MAX_FIELDS) throw new FormError(`more than ${MAX_FIELDS} form fields`);
    const segments = key.match(/[^.[\]]+/g);
    if (!segments) throw new FormError(`the form key "${key}" names no field`);
    if (segments.length > MAX_DEPTH)
      throw new FormError(`the form key "${key}" is nested too deeply`);
    assign(root, segments, value, key);
  }
  return root;
}

function assign(root: Tree, segments: string[], value: string, key: string): void {
  let node = root;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (next === undefined) {
      const created: Tree = Object.create(null);
      node[segment] = created;
      node = created;
    } else if (typeof next === "object" && next !== null) {
      node = next as Tree;
    } else {
      throw new FormError(`the form key "${key}" puts a field inside a plain value`);
    }
  }
  const last = segments[segments.length - 1];
  if (typeof node[last] === "object")
    throw new FormError(`the form key "${key}" replaces a group of fields`);
  node[last] = value;
}
