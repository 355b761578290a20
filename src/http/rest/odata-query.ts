/**
 * Parsing the OData query parameters in one left-to-right pass over the text: a tokenizer that
 * looks at each character once, and small grammars over its tokens. No regular expression is
 * run over the user's text, so no input (a long run of spaces, a long word, many `and`s) costs
 * more than linear time, and each parameter is refused beyond MAX_ODATA_LENGTH characters first.
 * Operators and columns are looked up in Maps, so `__proto__` or `constructor` is just an
 * unknown word.
 */
import { localized, PresenceError } from "../../domain/errors.ts";

/** The longest value any OData parameter may have, in characters. */
export const MAX_ODATA_LENGTH = 2_000;

export type Value = string | number | boolean | null;

type Token =
  | { kind: "word"; text: string; at: number }
  | { kind: "string"; text: string; at: number }
  | { kind: "comma"; text: ","; at: number };

export const OPERATORS: ReadonlyMap<string, (a: Value, b: Value) => boolean> = new Map([
  ["eq", (a: Value, b: Value) => a === b],
  ["ne", (a: Value, b: Value) => a !== b],
  ["lt", (a: Value, b: Value) => a !== null && b !== null && a < b],
  ["le", (a: Value, b: Value) => a !== null && b !== null && a <= b],
  ["gt", (a: Value, b: Value) => a !== null && b !== null && a > b],
  ["ge", (a: Value, b: Value) => a !== null && b !== null && a >= b],
]);

export function badQuery(name: string, en: string, nb: string): PresenceError {
  return new PresenceError("PRES_ERR_BAD_QUERY", { name, detail: localized(en, nb) });
}

/** Refuses a parameter longer than MAX_ODATA_LENGTH before anything reads it. */
export function checkLength(name: string, text: string, limit = MAX_ODATA_LENGTH): void {
  if (text.length > limit) {
    throw badQuery(
      name,
      `it is longer than ${limit} characters`,
      `den er lengre enn ${limit} tegn`,
    );
  }
}

const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";
const isWordChar = (c: string) =>
  (c >= "a" && c <= "z") ||
  (c >= "A" && c <= "Z") ||
  (c >= "0" && c <= "9") ||
  c === "_" ||
  c === "-";

/** Splits into words, 'quoted strings' ('' is a quote inside) and commas; anything else is refused. */
export function tokenize(name: string, text: string, limit = MAX_ODATA_LENGTH): Token[] {
  checkLength(name, text, limit);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
    } else if (c === ",") {
      tokens.push({ kind: "comma", text: ",", at: i++ });
    } else if (c === "'") {
      const at = i;
      let value = "";
      for (i++; ; i++) {
        if (i >= text.length)
          throw badQuery(name, "a string has no closing quote", "en streng mangler avsluttende '");
        if (text[i] !== "'") value += text[i];
        else if (text[i + 1] === "'") value += text[i++];
        else break;
      }
      i++;
      tokens.push({ kind: "string", text: value, at });
    } else if (isWordChar(c)) {
      const at = i;
      while (i < text.length && isWordChar(text[i])) i++;
      tokens.push({ kind: "word", text: text.slice(at, i), at });
    } else {
      throw badQuery(
        name,
        `unexpected character "${c}" at position ${i + 1}`,
        `uventet tegn «${c}» i posisjon ${i + 1}`,
      );
    }
  }
  return tokens;
}

function literal(token: Token | undefined): Value {
  if (token?.kind === "string") return token.text;
  const text = token?.kind === "word" ? token.text : "";
  if (/^-?\d{1,16}$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  if (text === "null") return null;
  throw badQuery(
    "$filter",
    `expected a literal ('text', a number, true, false or null) after the operator, got "${text}"`,
    `forventet en verdi ('tekst', et tall, true, false eller null) etter operatoren, fikk «${text}»`,
  );
}

export interface Comparison {
  column: string;
  test: (a: Value, b: Value) => boolean;
  value: Value;
}

/**
 * `column op literal [and column op literal]…`; `column` is resolved by `resolve` (which throws
 * for unknown names) and `op` must be one of OPERATORS.
 */
export function parseFilter(
  text: string,
  resolve: (name: string) => string,
  limit = MAX_ODATA_LENGTH,
): Comparison[] {
  const tokens = tokenize("$filter", text, limit);
  const comparisons: Comparison[] = [];
  let i = 0;
  while (i < tokens.length) {
    const [columnToken, opToken] = [tokens[i], tokens[i + 1]];
    if (columnToken.kind !== "word")
      throw badQuery("$filter", "expected a column name", "forventet et kolonnenavn");
    const column = resolve(columnToken.text);
    const test = opToken?.kind === "word" ? OPERATORS.get(opToken.text.toLowerCase()) : undefined;
    if (!test) {
      const found = opToken?.text ?? "";
      throw badQuery(
        "$filter",
        `"${found}" is not an operator; use eq, ne, lt, le, gt or ge`,
        `«${found}» er ikke en operator; bruk eq, ne, lt, le, gt eller ge`,
      );
    }
    comparisons.push({ column, test, value: literal(tokens[i + 2]) });
    i += 3;
    if (i >= tokens.length) break;
    const joiner = tokens[i];
    if (joiner.kind !== "word" || joiner.text.toLowerCase() !== "and" || i + 1 >= tokens.length)
      throw badQuery(
        "$filter",
        'expected "and" and a comparison',
        "forventet «and» og en sammenligning",
      );
    i++;
  }
  return comparisons;
}

/** `column [asc|desc], …`. */
export function parseOrderBy(
  text: string,
  resolve: (name: string) => string,
  limit = MAX_ODATA_LENGTH,
): { column: string; sign: 1 | -1 }[] {
  return splitList("$orderBy", text, limit).map((words) => {
    const direction = words[1]?.toLowerCase() ?? "asc";
    if (words.length > 2 || (direction !== "asc" && direction !== "desc")) {
      const found = words.slice(1).join(" ");
      throw badQuery(
        "$orderBy",
        `"${found}" is not asc or desc`,
        `«${found}» er verken asc eller desc`,
      );
    }
    return { column: resolve(words[0]), sign: direction === "desc" ? -1 : 1 };
  });
}

/** `column, …`. */
export function parseSelect(
  text: string,
  resolve: (name: string) => string,
  limit = MAX_ODATA_LENGTH,
): string[] {
  return splitList("$select", text, limit).map((words) => {
    if (words.length > 1)
      throw badQuery("$select", "expected column names", "forventet kolonnenavn");
    return resolve(words[0]);
  });
}

/** Comma-separated groups of words; an empty group is refused. */
function splitList(name: string, text: string, limit: number): string[][] {
  const groups: string[][] = [[]];
  for (const token of tokenize(name, text, limit)) {
    if (token.kind === "comma") groups.push([]);
    else if (token.kind === "word") groups[groups.length - 1].push(token.text);
    else throw badQuery(name, "expected column names", "forventet kolonnenavn");
  }
  if (groups.some((group) => group.length === 0))
    throw badQuery(name, "a column name is missing", "et kolonnenavn mangler");
  return groups;
}
