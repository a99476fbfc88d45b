import { InvalidRequestError, InvalidTokenError } from './errors.js';
import { foldAsciiCase } from './lib/fold-ascii-case.js';

/** A header value as Node's `IncomingMessage#headers` holds it. */
export type HeaderValue = string | string[] | undefined;

/**
 * The framework-free request the core decides on. Adapters pass Node's own objects:
 * `{ method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders, ip }`.
 *
 * The core removes the impersonation headers from `headers` (and `rawHeaders`) once it has
 * decided, so nothing downstream applies them twice.
 */
export interface AuthRequest {
  /** HTTP method, e.g. `GET`. */
  method: string;
  /** Path and query, as in `req.url`. */
  url: string;
  /**
   * The request's headers. Names are case-insensitive: Node gives them in lower case, and a
   * plain object may spell them in any case (`Authorization`). Core lower-cases the names of
   * such an object in place, once per call, before it reads them; values under names that
   * differ only in case become one array (as Node's `headersDistinct`), so a header repeated
   * with different values is still `invalid_request`.
   */
  headers: Record<string, HeaderValue>;
  /**
   * Node's `req.rawHeaders` (alternating names and values). Optional: when given, a credential
   * header that Node folded or dropped as a duplicate (Node keeps only the first `Authorization`)
   * is still seen as repeated.
   */
  rawHeaders?: string[];
  /** Client address, for audit. */
  ip?: string;
  /** Request id for audit; defaults to the `x-request-id` header. */
  requestId?: string;
}

/**
 * One header's single value, however Node presented repeats of it: an array, a value folded as
 * `a, b` (when `folded` is true: for headers whose values never contain a comma), or, for
 * `Authorization` (whose repeats Node drops, keeping the first), extra lines in `rawHeaders`.
 * Repeats with the same value are one value; different values are `invalid_request`
 * (`repeated_header`). Empty is absent.
 */
export function singleHeaderValue(
  request: Pick<AuthRequest, 'headers' | 'rawHeaders'>,
  name: string,
  folded: boolean,
): string | undefined {
  const value = ownHeader(request.headers, name);
  if (value === undefined) return undefined;
  // Node folds repeats of every other header into the value; only dropped repeats need rawHeaders.
  const raw = name === 'authorization' ? request.rawHeaders : undefined;
  // The common case, decided without allocating: one plain value and no raw lines to compare.
  if (raw === undefined && typeof value === 'string' && !(folded && value.includes(',')))
    return value || undefined;
  const values: string[] = [];
  const add = (v: string) => {
    if (folded && v.includes(',')) for (const part of v.split(',')) values.push(part.trim());
    else values.push(v);
  };
  if (Array.isArray(value)) value.forEach(add);
  else add(value);
  if (raw) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const n = raw[i]!;
      if (n.length === name.length && n.toLowerCase() === name) add(raw[i + 1]!);
    }
  }
  const first = values[0];
  if (values.some((v) => v !== first))
    throw new InvalidRequestError('repeated_header', `${name} repeated with different values`);
  return first || undefined;
}

/**
 * `headers[name]`, looked up only when the request carries it. Most requests lack most of the
 * headers the suite asks about (the assertion, the other credential headers, impersonation);
 * `Object.hasOwn` answers that without a property load: V8's IC log of a running Express server
 * showed the plain loads of absent names missing their inline caches on every request (an absent
 * name is looked up along the prototype chain). It also keeps a header named like an
 * `Object.prototype` member (`constructor`) from reading that member.
 */
export function ownHeader(headers: Record<string, HeaderValue>, name: string): HeaderValue {
  return Object.hasOwn(headers, name) ? headers[name] : undefined;
}

/**
 * Gives a request's header names in lower case, as every read of them in core expects (an
 * {@link ownHeader} is one property check, no scan): called once at each of core's entry points.
 * A request from {@link toAuthRequest} holds Node's headers, already in lower case, and is left
 * as it is without a look. In any other request each name with an upper-case ASCII letter is
 * moved to its lower-case name in the caller's own object, so what core removes later
 * (impersonation and claim headers) is removed from it whatever its case; values of names that
 * differ only in case are joined into one array, as Node's `headersDistinct` holds repeats, so a
 * repeat with a different value is still refused. A headers object that cannot be changed
 * (frozen) is replaced on the request by a lower-cased copy.
 *
 * @throws {InvalidTokenError} `internal_error`, for a value that is not a request (not an object,
 *   or without a headers object): the caller's bug, refused as any fault is, never a `TypeError`.
 */
export function withLowerCaseHeaderNames<R extends Pick<AuthRequest, 'headers'>>(request: R): R {
  if (request instanceof NodeAuthRequest) return request;
  const given: unknown = typeof request === 'object' && request !== null ? request.headers : null;
  if (given === null || typeof given !== 'object')
    throw new InvalidTokenError(
      'internal_error',
      'not a request: core takes an object whose headers are an object (AuthRequest)',
    );
  const headers = given as Record<string, HeaderValue>;
  let mixedCase: string[] | undefined;
  for (const name of Object.keys(headers)) if (UPPER_CASE.test(name)) (mixedCase ??= []).push(name);
  if (mixedCase === undefined) return request;
  if (Object.isExtensible(headers)) {
    for (const name of mixedCase) {
      const value = headers[name];
      Reflect.deleteProperty(headers, name);
      addHeader(headers, foldAsciiCase(name), value);
    }
  } else {
    const copy: Record<string, HeaderValue> = {};
    for (const name of Object.keys(headers)) addHeader(copy, foldAsciiCase(name), headers[name]);
    Reflect.set(request, 'headers', copy);
  }
  return request;
}

const UPPER_CASE = /[A-Z]/;

/** Adds a value under a name, beside any already there (both kept, as an array). */
function addHeader(headers: Record<string, HeaderValue>, name: string, value: HeaderValue): void {
  const had = ownHeader(headers, name);
  const joined =
    had === undefined
      ? value
      : value === undefined
        ? had
        : [...(Array.isArray(had) ? had : [had]), ...(Array.isArray(value) ? value : [value])];
  // Defined, not assigned: a header named `__proto__` is a header, never the object's prototype.
  Reflect.defineProperty(headers, name, {
    value: joined,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/**
 * Removes headers (lower-case names) from a request, from `headers` and from `rawHeaders`: what
 * core has decided (impersonation headers, unverified claim headers) reaches nothing downstream.
 * `rawHeaders` is scanned only when one of them was there.
 */
export function removeHeaders(request: AuthRequest, names: readonly string[]): void {
  let found = false;
  for (const name of names) {
    if (ownHeader(request.headers, name) === undefined) continue;
    delete request.headers[name];
    found = true;
  }
  const raw = request.rawHeaders;
  if (!found || !raw) return;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (names.includes(raw[i]!.toLowerCase())) raw.splice(i, 2);
  }
}

/**
 * Reads one header as a single string: the first value of an array, `undefined` when absent.
 *
 * @param headers - Node's `headers` (lower-case names).
 * @param name - the header's lower-case name.
 *
 * @example
 * ```ts
 * const requestId = headerValue(request.headers, 'x-request-id'); // string | undefined
 * ```
 */
export function headerValue(
  headers: Record<string, HeaderValue>,
  name: string,
): string | undefined {
  const value = ownHeader(headers, name);
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The request objects of Node's frameworks, as far as authentication reads them: Node's
 * `IncomingMessage`, Express's `req` (`originalUrl`, `ip`), Fastify's request (`raw`), or
 * anything shaped alike.
 */
export interface NodeRequestLike {
  method?: string;
  url?: string;
  /** Express: the URL before mounting rewrote `url`. */
  originalUrl?: string;
  headers: Record<string, HeaderValue>;
  rawHeaders?: string[];
  /** Express / Koa / Fastify: the client address, honouring the app's proxy settings. */
  ip?: string;
  socket?: { remoteAddress?: string | undefined };
  /** Fastify: the underlying `IncomingMessage`. */
  raw?: { rawHeaders?: string[]; socket?: { remoteAddress?: string | undefined } };
}

/**
 * Builds the core's {@link AuthRequest} from a framework's request. Every adapter translates
 * requests with this one function. `headers` (and `rawHeaders`) are the request's own arrays, so
 * the impersonation headers the core removes are removed from the real request.
 *
 * @param req - a Node `IncomingMessage`, or a framework's request read as one: its `ip` after
 *   the app's proxy settings, Express's `originalUrl`, Fastify's `raw`.
 *
 * @example
 * ```ts
 * const identity = await auth.authenticate(toAuthRequest(req));
 * ```
 */
export function toAuthRequest(req: NodeRequestLike): AuthRequest {
  return new NodeAuthRequest(req);
}

/**
 * An {@link AuthRequest} read from a framework's request. Only `headers` (and `rawHeaders`) are
 * read up front; the method, the URL and the client address are read when something asks for
 * them (an audit event, a read-only grant). The method and URL are kept once read; the address
 * is read again on each ask, so a caller reads it once.
 *
 * Each read of the framework's request is worth saving: Express gives every request object a
 * hidden class of its own, so each property read there misses V8's inline caches, and Express's
 * `req.ip` runs proxy-addr over `X-Forwarded-For` besides. A class with accessors on its
 * prototype, not an object literal with getters of its own, which cost far more per request.
 * The measurements are in bench/README.md ("What dominates per-request cost").
 */
class NodeAuthRequest implements AuthRequest {
  headers: Record<string, HeaderValue>;
  rawHeaders?: string[];
  readonly #source: NodeRequestLike;
  #method: string | undefined;
  #url: string | undefined;

  constructor(req: NodeRequestLike) {
    this.headers = req.headers;
    const rawHeaders = req.rawHeaders ?? req.raw?.rawHeaders;
    if (rawHeaders) this.rawHeaders = rawHeaders;
    this.#source = req;
  }

  get method(): string {
    return (this.#method ??= this.#source.method ?? 'GET');
  }

  get url(): string {
    return (this.#url ??= this.#source.originalUrl ?? this.#source.url ?? '/');
  }

  get ip(): string | undefined {
    const req = this.#source;
    return req.ip || req.socket?.remoteAddress || req.raw?.socket?.remoteAddress || undefined;
  }
}
