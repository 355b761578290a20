/**
 * Column values as either backend returns them: SQLite gives 0/1 for booleans and JSON as
 * text, PostgreSQL gives booleans and parsed jsonb. The shared row mappers take both forms.
 */

/** A boolean column: 0/1 from SQLite, true/false from PostgreSQL. */
export type Flag = boolean | number;

/** A JSON column: text from SQLite, the parsed value from PostgreSQL. */
export type Json<T> = T | string;

export function flag(value: Flag): boolean {
  return typeof value === "boolean" ? value : value === 1;
}

/** The parsed value; null for NULL (and for empty text). */
export function json<T>(value: Json<T> | null): T | null {
  if (typeof value !== "string") return value;
  return value ? (JSON.parse(value) as T) : null;
}
