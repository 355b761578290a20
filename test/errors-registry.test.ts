/**
 * docs/ERRORS.md and the error registry say the same thing: every code of the registry has a
 * row in the table of its area, with its status and .NET type, and the document names no code
 * the registry does not have (as Fastify's test/internals/errors.test.js checks its Errors.md).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { ERROR_AREAS, ERRORS } from "../src/domain/errors.ts";

const ROOT = resolve(import.meta.dirname, "..");
const DOC = readFileSync(resolve(ROOT, "docs/ERRORS.md"), "utf8");

interface DocRow {
  code: string;
  status: number;
  type: string;
  area: string | null;
}

const ROW = /^\| `(PRES_ERR_\w+)` \| (\d{3}) \| `(\w+)` \| .+ \|$/;
const AREA_HEADING = /^## .*\(\.\.\/src\/domain\/errors\/(\w+)\.ts\)/;

/** The table rows of the document, each with the area of the heading above it. */
function documentedRows(text: string): DocRow[] {
  let area: string | null = null;
  const rows: DocRow[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("## ")) area = AREA_HEADING.exec(line)?.[1] ?? null;
    if (!line.startsWith("| `PRES_ERR_")) continue;
    const match = ROW.exec(line);
    assert.ok(match, `not a row of code, status, type and meaning: ${line}`);
    rows.push({ code: match[1], status: Number(match[2]), type: match[3], area });
  }
  return rows;
}

function areaOf(code: string): string | undefined {
  return Object.entries(ERROR_AREAS).find(([, errors]) => code in errors)?.[0];
}

describe("error registry and docs/ERRORS.md", () => {
  const rows = documentedRows(DOC);
  const documented = new Set(rows.map((row) => row.code));
  const codes = Object.keys(ERRORS);

  it("documents every code of the registry", () => {
    assert.ok(codes.length > 50, `the registry has only ${codes.length} codes`);
    assert.deepEqual(
      codes.filter((code) => !documented.has(code)),
      [],
    );
  });

  it("names no code the registry does not have", () => {
    assert.deepEqual(
      rows.filter((row) => !(row.code in ERRORS)).map((row) => row.code),
      [],
    );
  });

  it("documents each code once", () => {
    const seen = new Set<string>();
    const twice = rows.filter((row) => seen.has(row.code) || !seen.add(row.code));
    assert.deepEqual(
      twice.map((row) => row.code),
      [],
    );
  });

  it("gives each code the status and type of the registry", () => {
    const wrong = rows
      .filter((row) => row.code in ERRORS)
      .filter((row) => {
        const definition = ERRORS[row.code as keyof typeof ERRORS];
        return definition.status !== row.status || definition.type !== row.type;
      })
      .map((row) => {
        const definition = ERRORS[row.code as keyof typeof ERRORS];
        return `${row.code}: doc ${row.status} ${row.type}, registry ${definition.status} ${definition.type}`;
      });
    assert.deepEqual(wrong, []);
  });

  it("lists each code in the table of its area", () => {
    const misplaced = rows
      .filter((row) => row.area !== areaOf(row.code))
      .map((row) => `${row.code}: under ${row.area}, defined in ${areaOf(row.code)}`);
    assert.deepEqual(misplaced, []);
  });

  it("has one table per area, in the order of ERROR_AREAS", () => {
    const headings = DOC.split("\n").flatMap((line) => {
      const area = AREA_HEADING.exec(line)?.[1];
      return area ? [area] : [];
    });
    assert.deepEqual(headings, Object.keys(ERROR_AREAS));
  });

  it("defines each code in one area only, and every area file is in ERROR_AREAS", () => {
    const defined = Object.values(ERROR_AREAS).reduce(
      (sum, errors) => sum + Object.keys(errors).length,
      0,
    );
    assert.equal(defined, codes.length, "a code is defined in two areas");
    const files = readdirSync(resolve(ROOT, "src/domain/errors"))
      .filter((name) => name.endsWith(".ts") && name !== "definition.ts")
      .map((name) => name.slice(0, -3));
    assert.deepEqual(files.sort(), Object.keys(ERROR_AREAS).sort());
  });

  it("the reader refuses a malformed row and reads a row's area", () => {
    const table = [
      "## Auth — [`errors/auth.ts`](../src/domain/errors/auth.ts)",
      "| `PRES_ERR_XSRF` | 403 | `SoAccessDeniedException` | A meaning. |",
    ];
    assert.deepEqual(documentedRows(table.join("\n")), [
      { code: "PRES_ERR_XSRF", status: 403, type: "SoAccessDeniedException", area: "auth" },
    ]);
    assert.throws(() => documentedRows("| `PRES_ERR_XSRF` | 4O3 | `X` | typo |"));
  });
});
