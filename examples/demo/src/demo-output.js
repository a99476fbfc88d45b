// How the walkthrough looks: aligned, coloured on a terminal (unless NO_COLOR), plain otherwise.
const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] };
/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function colorWanted(output, env = process.env) {
    if (env.NO_COLOR)
        return false;
    if (env.FORCE_COLOR && env.FORCE_COLOR !== '0')
        return true;
    return output.isTTY === true && env.TERM !== 'dumb';
}
export function painter(color) {
    return color ? (style, text) => `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m` : (_style, text) => text;
}
/** Shortens long values (tokens, bodies) to what a person reads. */
export function shorten(text, max) {
    return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
/** Rows of `label  value`, labels padded to one column. */
export function rows(entries, indent, paint) {
    const width = Math.max(...entries.map(([label]) => label.length));
    return entries.map(([label, value]) => `${indent}${paint('dim', label.padEnd(width))}  ${value}\n`).join('');
}
/** A table with a header row; every column padded to its widest cell. */
export function table(header, body, indent, paint, styleCell) {
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
    const line = (cells, style) => `${indent}${cells.map((c, i) => style(i, i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd() + '\n';
    return line(header, (_c, t) => paint('bold', t)) + body.map((r, ri) => line(r, (ci, t) => (styleCell ? styleCell(ri, ci, t) : t))).join('');
}
//# sourceMappingURL=demo-output.js.map