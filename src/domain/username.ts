/**
 * The one canonical form of a username, computed here and nowhere else: lookup, uniqueness
 * (the stores index this form) and the sign-in throttle all use it, so no two spellings of one
 * name can be told apart by one of them and not by another.
 *
 * NFKC first (fullwidth `ｔｉｍ` and compatibility letters become plain `tim`), then one full case
 * fold (upper then lower case, so `ß` and `SS` both become `ss` and final sigma meets sigma),
 * then NFKC again since case mapping can leave a string unnormalised. The database's own
 * `lower()` is never used: it depends on the server's locale and disagrees with JavaScript
 * (PostgreSQL lower-cases `İ` to `i`, Unicode folds it to `i` + U+0307).
 */
export function canonicalUsername(username: string): string {
  return username.trim().normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

/**
 * The canonical form of each stored username, for a store adding the form to rows written
 * before it kept one. Two rows that turn out to be one name cannot both keep it, and choosing
 * which one loses its sign-in is the operator's call: the error names them.
 */
export function canonicalUsernames(
  rows: readonly { id: number; username: string }[],
): { id: number; key: string }[] {
  const seen = new Map<string, { id: number; username: string }>();
  const clashes: string[] = [];
  for (const row of rows) {
    const key = canonicalUsername(row.username);
    const other = seen.get(key);
    if (other) clashes.push(`${other.username} (${other.id}) and ${row.username} (${row.id})`);
    else seen.set(key, row);
  }
  if (clashes.length > 0)
    throw new Error(
      `These usernames are one name once case and Unicode forms are folded; rename one of each pair in the database and start again: ${clashes.join("; ")}`,
    );
  return rows.map((row) => ({ id: row.id, key: canonicalUsername(row.username) }));
}
