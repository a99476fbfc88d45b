// How the walkthrough looks: aligned, coloured on a terminal (unless NO_COLOR), plain otherwise.

/** Where the demo writes; `process.stdout` by default. */
export interface DemoOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;
export type Style = keyof typeof CODES;

/** A painter that colours text, or leaves it alone. */
export type Paint = (style: Style, text: string) => string;

/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function colorWanted(
  output: DemoOutput,
  env: Record<string, string | undefined> = process.env,
): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return output.isTTY === true && env.TERM !== 'dumb';
}

export function painter(color: boolean): Paint {
  return color
    ? (style, text) => `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m`
    : (_style, text) => text;
}

/** Shortens long values (tokens, bodies) to what a person reads. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Rows of `label  value`, labels padded to one column. */
export function rows(
  entries: ReadonlyArray<readonly [string, string]>,
  indent: string,
  paint: Paint,
): string {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries
    .map(([label, value]) => `${indent}${paint('dim', label.padEnd(width))}  ${value}\n`)
    .join('');
}

/** A table with a header row; every column padded to its widest cell. */
export function table(
  header: readonly string[],
  body: ReadonlyArray<readonly string[]>,
  indent: string,
  paint: Paint,
  styleCell?: (row: number, col: number, text: string) => string,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], style: (col: number, text: string) => string) =>
    `${indent}${cells.map((c, i) => style(i, i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd() +
    '\n';
  return (
    line(header, (_c, t) => paint('bold', t)) +
    body.map((r, ri) => line(r, (ci, t) => (styleCell ? styleCell(ri, ci, t) : t))).join('')
  );
}
