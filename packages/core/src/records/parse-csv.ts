/**
 * Splits CSV text into rows of fields, as RFC 4180 describes it: fields separated by commas,
 * rows by CRLF or LF (a lone CR too), fields optionally enclosed in double quotes, and a double
 * quote inside a quoted field written as two. Quoted fields may hold commas and line breaks.
 *
 * Deliberately strict, because a records source must tell data from garbage: an unterminated
 * quoted field, or anything but a comma or a line break right after a closing quote, throws.
 * A quote inside an unquoted field is kept as it is (common in hand-written files). A final
 * line break does not start an empty row; an empty line is returned as `['']`. Whitespace is
 * part of a field, as RFC 4180 says.
 *
 * @param text CSV text, already decoded (a leading byte-order mark is ignored).
 * @returns The rows, each an array of field values.
 * @throws {Error} When the text is not well-formed CSV.
 *
 * @example
 * ```ts
 * parseCsv('id,name\r\n1,"Smith, ""Jo"""\n');
 * // [['id', 'name'], ['1', 'Smith, "Jo"']]
 * ```
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let row: string[] = [];

  while (i < n) {
    let field: string;
    if (text[i] === '"') {
      // Quoted field: read to the closing quote; `""` stands for one quote.
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1)
          throw new Error(`CSV: unterminated quoted field in row ${rows.length + 1}`);
        value += text.slice(from, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          from = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new Error(
          `CSV: unexpected character after a closing quote in row ${rows.length + 1}`,
        );
      }
      field = value;
    } else {
      // Unquoted field: up to the next comma or line break.
      let end = i;
      while (end < n) {
        const c = text[end];
        if (c === ',' || c === '\n' || c === '\r') break;
        end++;
      }
      field = text.slice(i, end);
      i = end;
    }
    row.push(field);

    const sep = text[i];
    if (sep === ',') {
      i++;
      if (i < n) continue;
      // A comma at the very end of the text is followed by one last, empty field.
      row.push('');
    }
    rows.push(row);
    row = [];
    if (sep === '\r') i += text[i + 1] === '\n' ? 2 : 1;
    else if (sep === '\n') i++;
  }
  return rows;
}
