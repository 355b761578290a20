/**
 * The layers of src/ import only downward: every relative import of every src/**\/*.ts file
 * is read and checked against the layer order. The adapters above the services are peers that
 * do not import each other, except the one arrow listed in PEER_ARROWS.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const SRC = resolve(import.meta.dirname, "../src");

/** Each top-level folder of src/ and its rank: a folder may import folders of a lower rank. */
const LAYERS: Record<string, number> = {
  domain: 0,
  events: 1,
  store: 2,
  service: 3,
  jobs: 4,
  realtime: 4,
  http: 4,
  cli: 5,
};

/** Imports allowed between peers of one rank: the SSE routes use the stream fan-out. */
const PEER_ARROWS = new Set(["http -> realtime"]);

interface Arrow {
  file: string;
  target: string;
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
function relativeImports(text: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;
  return [...text.matchAll(pattern)].map((match) => match[1]);
}

function layerOf(path: string): string {
  return relative(SRC, path).split("/")[0];
}

function arrows(): Arrow[] {
  return sourceFiles(SRC).flatMap((file) =>
    relativeImports(readFileSync(file, "utf8")).map((specifier) => {
      const target = resolve(dirname(file), specifier);
      return {
        file: relative(SRC, file),
        target: relative(SRC, target),
        from: layerOf(file),
        to: layerOf(target),
      };
    }),
  );
}

function allowed({ from, to }: Arrow): boolean {
  if (from === to) return true;
  if (LAYERS[to] < LAYERS[from]) return true;
  return PEER_ARROWS.has(`${from} -> ${to}`);
}

describe("layers", () => {
  const all = arrows();

  it("every file under src/ sits in a known layer", () => {
    const files = sourceFiles(SRC).map((file) => relative(SRC, file));
    const unplaced = files.filter((file) => !(layerOf(join(SRC, file)) in LAYERS));
    assert.deepEqual(unplaced, [], "add the folder to LAYERS in its place");
    assert.ok(files.length > 100, `read only ${files.length} files`);
  });

  it("every relative import stays inside src/", () => {
    const outside = all.filter((arrow) => arrow.target.startsWith(".."));
    assert.deepEqual(outside, []);
  });

  it("no file imports from a higher layer or from a peer outside PEER_ARROWS", () => {
    const upward = all
      .filter((arrow) => !allowed(arrow))
      .map(({ file, target }) => `${file} -> ${target}`);
    assert.deepEqual(upward, []);
  });

  it("each allowed peer arrow is still used", () => {
    const used = new Set(all.map(({ from, to }) => `${from} -> ${to}`));
    assert.deepEqual(
      [...PEER_ARROWS].filter((arrow) => !used.has(arrow)),
      [],
    );
  });

  it("the rule itself refuses an upward import and an unlisted peer", () => {
    const arrow = (from: string, to: string) => ({ file: "", target: "", from, to });
    assert.equal(allowed(arrow("store", "service")), false);
    assert.equal(allowed(arrow("domain", "events")), false);
    assert.equal(allowed(arrow("jobs", "http")), false);
    assert.equal(allowed(arrow("realtime", "http")), false);
    assert.equal(allowed(arrow("http", "jobs")), false);
    assert.equal(allowed(arrow("http", "realtime")), true);
    assert.equal(allowed(arrow("cli", "jobs")), true);
  });

  it("the import reader finds each form of import", () => {
    const text = [
      'import { a } from "../domain/a.ts";',
      'import type { B } from "./b.ts";',
      'export { c } from "../store/c.ts";',
      'import "./side-effect.ts";',
      'const d = await import("../service/d.ts");',
      'import { e } from "node:fs";',
    ].join("\n");
    assert.deepEqual(relativeImports(text), [
      "../domain/a.ts",
      "./b.ts",
      "../store/c.ts",
      "./side-effect.ts",
      "../service/d.ts",
    ]);
  });
});
