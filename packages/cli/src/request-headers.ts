import { usageError } from './cli-error.js';

/** Request headers as Node's `IncomingMessage` holds them: `headers` and `rawHeaders`. */
export interface RequestHeaders {
  /** Lower-case names; a repeated header is an array (a repeated `Cookie` is joined by `; `). */
  headers: Record<string, string | string[]>;
  /** Names as written and values, alternating, in order. */
  rawHeaders: string[];
}

/** An RFC 9110 field name. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `"Name: value"` → `['Name', 'value']`; anything else is a usage error of `command`. */
export function parseHeaderLine(command: string, line: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon > 0 ? line.slice(0, colon).trim() : '';
  if (!FIELD_NAME.test(name))
    throw usageError(command, `--header must read "name: value", got ${JSON.stringify(line)}`);
  return [name, line.slice(colon + 1).trim()];
}

/**
 * The headers a request made of these lines has, with repeats kept as a client sends them: core
 * then sees a header sent twice with different values, as it would on a real request.
 */
export function requestHeaders(lines: ReadonlyArray<readonly [string, string]>): RequestHeaders {
  // No prototype: a header named __proto__ is a header like any other.
  const headers = Object.create(null) as Record<string, string | string[]>;
  const rawHeaders: string[] = [];
  for (const [name, value] of lines) {
    rawHeaders.push(name, value);
    const key = name.toLowerCase();
    const had = Object.hasOwn(headers, key) ? headers[key] : undefined;
    if (had === undefined) headers[key] = value;
    // Node joins the cookies of several Cookie headers into one, as RFC 9113 asks of HTTP/2.
    else if (key === 'cookie') headers[key] = `${had as string}; ${value}`;
    else headers[key] = [...(Array.isArray(had) ? had : [had]), value];
  }
  return { headers, rawHeaders };
}
