/** Plain-text tables for people: columns padded to their widest cell, cut to fit the terminal when asked. */

export interface TableOptions {
  /** The widest a line may be (the terminal's width); unlimited when absent or 0. */
  maxWidth?: number;
  /** The columns that may be cut to fit, by index; the widest is cut first. Default: the last column. */
  shrink?: readonly number[];
}

const GAP = 2;
/** A column is never cut below this (or its header's width). */
const MIN_COLUMN = 8;

export function formatTable(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const cells = rows.map((r) => headers.map((_h, i) => flat(r[i] ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  fit(widths, headers, options);
  const line = (row: string[]) =>
    row
      .map((c, i) => (i === row.length - 1 ? clip(c, widths[i]!) : clip(c, widths[i]!).padEnd(widths[i]!)))
      .join(' '.repeat(GAP))
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Narrows the shrinkable columns, widest first, until a line fits `maxWidth` (or none can give more). */
function fit(widths: number[], headers: string[], options: TableOptions): void {
  if (!options.maxWidth) return;
  const shrink = options.shrink ?? [widths.length - 1];
  const floor = (i: number) => Math.max(MIN_COLUMN, headers[i]!.length);
  let over = widths.reduce((sum, w) => sum + w, 0) + GAP * (widths.length - 1) - options.maxWidth;
  while (over > 0) {
    const widest = shrink.filter((i) => widths[i]! > floor(i)).sort((a, b) => widths[b]! - widths[a]!)[0];
    if (widest === undefined) return;
    const next = Math.max(...shrink.filter((i) => i !== widest).map((i) => widths[i]!), floor(widest));
    // Down to the next widest column (so that they shrink together), or by all that is over.
    const cut = Math.min(over, Math.max(1, widths[widest]! - next));
    widths[widest]! -= cut;
    over -= cut;
  }
}

/** Cuts text to `max` characters on one line. */
export function clip(text: string, max: number): string {
  const line = flat(text);
  return line.length <= max ? line : `${line.slice(0, Math.max(0, max - 1))}…`;
}

function flat(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Indents every line of `text` by two spaces. */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
