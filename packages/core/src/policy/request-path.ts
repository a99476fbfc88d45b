/**
 * The request path `http_path` compares. Pomerium compares the path without its query, after
 * Envoy normalised it (dot segments removed, repeated slashes merged: Pomerium's defaults) and
 * after percent-decoding it. An application sees the path as the client sent it, and its router
 * may or may not decode or normalise it; so the evaluator judges both forms (see
 * `compile-policy.ts`), and this module computes them.
 */

// An absolute-form request target (RFC 9112, 3.2.2: `GET http://host/admin HTTP/1.1`): Node
// accepts it as `req.url`, and routers (Express, Koa) route it by its path, as Envoy passes only
// the path to Pomerium. Its scheme and authority are not part of the path.
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * The path without its query string (and without a fragment, which clients should not send).
 * An absolute-form target (`http://host/admin?x`) is first reduced to its path (`/admin`; `/`
 * when it has none).
 */
export function pathWithoutQuery(path: string): string {
  const origin = ABSOLUTE_FORM.exec(path);
  if (origin !== null) {
    path = path.slice(origin[0].length);
    if (!path.startsWith('/')) path = `/${path}`;
  }
  let end = path.indexOf('?');
  const hash = path.indexOf('#');
  if (hash !== -1 && (end === -1 || hash < end)) end = hash;
  return end === -1 ? path : path.slice(0, end);
}

// A path needs work when it holds an escape, an empty segment or a dot segment.
const NOT_CANONICAL = /%|\/\/|\/\.\.?(?:\/|$)|^\.\.?(?:\/|$)/;

/**
 * The path as Pomerium's policy sees it: percent-escapes decoded (an escape that is not `%XX`
 * stays as it is; bytes that are not UTF-8 become U+FFFD), then repeated slashes merged and dot
 * segments removed (RFC 3986, 5.2.4). A path that needs none of it is returned as it is.
 */
export function canonicalPath(path: string): string {
  if (!NOT_CANONICAL.test(path)) return path;
  const decoded = path.includes('%') ? percentDecode(path) : path;
  return removeDotSegments(decoded.replace(/\/{2,}/g, '/'));
}

function percentDecode(path: string): string {
  const bytes = Buffer.from(path, 'utf8');
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]!) && isHex(bytes[i + 2]!)) {
      out[n++] = (hexValue(bytes[i + 1]!) << 4) | hexValue(bytes[i + 2]!);
      i += 2;
    } else out[n++] = byte;
  }
  return out.toString('utf8', 0, n);
}

function isHex(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x46) ||
    (byte >= 0x61 && byte <= 0x66)
  );
}

function hexValue(byte: number): number {
  return byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x61 + 10;
}

function removeDotSegments(path: string): string {
  const absolute = path.startsWith('/');
  const segments = path.split('/');
  const out: string[] = [];
  for (let i = absolute ? 1 : 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') out.pop();
      // A dot segment at the end leaves the directory it names: `/a/b/..` is `/a/`.
      if (last) out.push('');
    } else out.push(segment);
  }
  return (absolute ? '/' : '') + out.join('/');
}
