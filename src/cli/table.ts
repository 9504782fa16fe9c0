/** Plain-text tables for terminal output: left-aligned columns, a header and a rule. */

/** The width of each column: its widest cell (a loop, not a spread: tables can have millions of rows). */
function columnWidths(header: readonly string[], rows: readonly (readonly string[])[]): number[] {
  const widths = header.map((h) => h.length);
  for (const row of rows)
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i] as number, (row[i] ?? '').length);
  return widths;
}

/**
 * Writes rows under a header, each column as wide as its widest cell, to `write` in pieces of at
 * most `chunk` lines, so that no single string grows with the number of rows.
 */
export function writeTable(
  write: (text: string) => void,
  header: readonly string[],
  rows: readonly (readonly string[])[],
  chunk = 10_000,
): void {
  const widths = columnWidths(header, rows);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (let start = 0; start < rows.length; start += chunk)
    write(
      `${rows
        .slice(start, start + chunk)
        .map(line)
        .join('\n')}\n`,
    );
}

/** Renders rows under a header, each column as wide as its widest cell. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const parts: string[] = [];
  writeTable((text) => parts.push(text), header, rows);
  return parts.join('').replace(/\n$/, '');
}

/** Renders `key: value` lines with the keys aligned. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  let width = 0;
  for (const [k] of fields) width = Math.max(width, k.length);
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n');
}

/**
 * Writes `{...head, [key]: items}` as `JSON.stringify(…, null, 2)` would, byte for byte, in pieces
 * of at most `chunk` items: a document of millions of items never becomes one string.
 */
export function writeJsonWithList(
  write: (text: string) => void,
  head: Readonly<Record<string, unknown>>,
  key: string,
  items: readonly unknown[],
  chunk = 10_000,
): void {
  const opening = JSON.stringify({ ...head, [key]: [] }, null, 2);
  if (items.length === 0) {
    write(`${opening}\n`);
    return;
  }
  // The document without the list ends in `"key": []\n}`: the items go between the brackets.
  const cut = opening.lastIndexOf('[]');
  write(`${opening.slice(0, cut)}[\n`);
  for (let start = 0; start < items.length; start += chunk) {
    const piece = items
      .slice(start, start + chunk)
      .map((item) => `    ${JSON.stringify(item, null, 2).replace(/\n/g, '\n    ')}`)
      .join(',\n');
    write(start + chunk < items.length ? `${piece},\n` : `${piece}\n`);
  }
  write(`  ]${opening.slice(cut + 2)}\n`);
}
