// fast-check generators for hostile requests: header maps, credential-ish strings, JWS-shaped
// tokens and mutations of genuine tokens.
import fc from 'fast-check';

export const CREDENTIAL_HEADERS = [
  'x-pomerium-jwt-assertion',
  'x-pomerium-authorization',
  'authorization',
] as const;
export const IMPERSONATION_HEADERS = [
  'impersonate-user',
  'impersonate-group',
  'impersonate-reason',
] as const;

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');

/** Pieces that make credential parsing interesting. */
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,16}$/) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'Pomerium ',
      'Bearer Pomerium-',
      'Bearer ',
      'pomerium ',
      'Basic ',
      '.',
      '..',
      ',',
      ', ',
      ' ',
      '  ',
      '\t',
      '=',
      '+',
      '/',
      'eyJ',
      'e30',
      '\r\n',
      '\u0000',
      'é',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

/** A header value: a string assembled from pieces, sometimes an array (a repeated header). */
export const headerString = fc.array(piece, { maxLength: 10 }).map((parts) => parts.join(''));
export const headerValue = fc.oneof(
  { weight: 5, arbitrary: headerString },
  { weight: 1, arbitrary: fc.array(headerString, { minLength: 1, maxLength: 3 }) },
);

const headerName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...CREDENTIAL_HEADERS) },
  { weight: 2, arbitrary: fc.constantFrom(...IMPERSONATION_HEADERS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'x-pomerium-claim-email',
      'cookie',
      'x-request-id',
      '__proto__',
      'constructor',
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z-]{1,12}$/) },
);

/** Header maps as Node gives them (lower-case names), with rawHeaders that may disagree. */
export const headerMap = fc.dictionary(headerName, headerValue, { maxKeys: 6 });

export const rawHeaders = fc.option(
  fc
    .array(
      fc.tuple(
        fc
          .constantFrom(...CREDENTIAL_HEADERS)
          .chain((n) => fc.constantFrom(n, n.toUpperCase(), n[0]!.toUpperCase() + n.slice(1))),
        headerString,
      ),
      { maxLength: 4 },
    )
    .map((pairs) => pairs.flat()),
  { nil: undefined },
);

const kid = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('../../etc/passwd', '__proto__', ''),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
);

/** A JOSE header: sometimes plausible, sometimes anything JSON. */
export const joseHeader = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        alg: fc.oneof(
          fc.constantFrom(
            'ES256',
            'RS256',
            'HS256',
            'none',
            'None',
            'HS512',
            'PS256',
            'ES384',
            'EdDSA',
            '',
          ),
          fc.string({ maxLength: 6 }),
        ),
        kid,
        typ: fc.constantFrom('JWT', 'at+jwt', 'JWE'),
        crit: fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
        b64: fc.boolean(),
        jku: fc.webUrl(),
        jwk: fc.object({ maxDepth: 1 }),
        enc: fc.constantFrom('A256GCM'),
      },
      { requiredKeys: ['alg'] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** A payload: claim-like records or any JSON. */
export const claimsPayload = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        iss: fc.oneof(
          fc.constantFrom('app.example.com', 'https://app.example.com/', 'evil.example'),
          fc.string({ maxLength: 10 }),
          fc.array(fc.string(), { maxLength: 2 }),
        ),
        aud: fc.oneof(
          fc.constantFrom('app.example.com'),
          fc.array(fc.constantFrom('app.example.com', 'x'), { maxLength: 3 }),
          fc.integer(),
        ),
        sub: fc.oneof(
          fc.constantFrom('admin', 'alice', ''),
          fc.string({ maxLength: 8 }),
          fc.integer(),
        ),
        jti: fc.oneof(fc.constantFrom('sa-1', ''), fc.string({ maxLength: 8 })),
        exp: fc.oneof(
          fc.integer({ min: 0, max: 4_000_000_000 }),
          fc.double(),
          fc.string({ maxLength: 4 }),
        ),
        iat: fc.oneof(fc.integer({ min: 0, max: 4_000_000_000 }), fc.constant(null)),
        nbf: fc.integer({ min: 0, max: 4_000_000_000 }),
        groups: fc.oneof(
          fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }),
          fc.string({ maxLength: 6 }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        email: fc.oneof(fc.emailAddress(), fc.integer()),
        impersonate_email: fc.constantFrom('user_1', 'root', ''),
        act: fc.oneof(
          fc.record({ sub: fc.constantFrom('admin', 'bob') }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** JWS-shaped strings: base64url(JSON) . base64url(JSON) . base64url(bytes), with raw-text variants. */
export const jwsShaped = fc
  .tuple(
    fc.oneof(
      { weight: 4, arbitrary: joseHeader.map((h) => b64url(JSON.stringify(h) ?? 'null')) },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,24}$/) },
    ),
    fc.oneof(
      { weight: 4, arbitrary: claimsPayload.map((p) => b64url(JSON.stringify(p) ?? 'null')) },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,24}$/) },
    ),
    fc
      .oneof(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
      )
      .map(b64url),
  )
  .map(([h, p, s]) => `${h}.${p}.${s}`);

/** Puts a token into one of the credential headers, as Pomerium's schemes would carry it. */
export const carrier = fc.constantFrom(
  'assertion',
  'x-pomerium-authorization',
  'authorization-pomerium',
  'authorization-bearer-pomerium',
);
export function carry(scheme: string, token: string): Record<string, string> {
  switch (scheme) {
    case 'assertion':
      return { 'x-pomerium-jwt-assertion': token };
    case 'x-pomerium-authorization':
      return { 'x-pomerium-authorization': token };
    case 'authorization-pomerium':
      return { authorization: `Pomerium ${token}` };
    default:
      return { authorization: `Bearer Pomerium-${token}` };
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A mutation of a compact JWS, as a function of the token and the other genuine tokens. */
export type Mutation = {
  label: string;
  apply: (token: string, others: readonly string[]) => string;
};

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Replace one character of one segment by another base64url character.
  fc.tuple(fc.nat(2), fc.nat(), fc.integer({ min: 1, max: 63 })).map(([seg, at, by]) => ({
    label: `char ${seg}:${at}+${by}`,
    apply: (t: string) => {
      const parts = t.split('.');
      const s = parts[seg]!;
      if (s.length === 0) return t;
      const i = at % s.length;
      parts[seg] = s.slice(0, i) + ALPHABET[(ALPHABET.indexOf(s[i]!) + by) % 64] + s.slice(i + 1);
      return parts.join('.');
    },
  })),
  // Flip one bit of the decoded bytes of one segment, and re-encode.
  fc.tuple(fc.nat(2), fc.nat(), fc.nat(7)).map(([seg, at, bit]) => ({
    label: `bit ${seg}:${at}.${bit}`,
    apply: (t: string) => {
      const parts = t.split('.');
      const bytes = Buffer.from(parts[seg]!, 'base64url');
      if (bytes.length === 0) return t;
      bytes[at % bytes.length]! ^= 1 << bit;
      parts[seg] = bytes.toString('base64url');
      return parts.join('.');
    },
  })),
  // Take one segment from another genuine token.
  fc.tuple(fc.nat(2), fc.nat()).map(([seg, which]) => ({
    label: `swap ${seg} from #${which}`,
    apply: (t: string, others: readonly string[]) => {
      const parts = t.split('.');
      parts[seg] = others[which % others.length]!.split('.')[seg]!;
      return parts.join('.');
    },
  })),
  // Swap two segments of the token itself.
  fc.constantFrom(
    {
      label: 'swap header/payload',
      apply: (t: string) => {
        const [h, p, s] = t.split('.');
        return `${p}.${h}.${s}`;
      },
    },
    {
      label: 'drop signature',
      apply: (t: string) => {
        const [h, p] = t.split('.');
        return `${h}.${p}.`;
      },
    },
    {
      label: 'header twice',
      apply: (t: string) => {
        const [h, , s] = t.split('.');
        return `${h}.${h}.${s}`;
      },
    },
  ),
  // Re-encode the JSON of the header or payload with an extra field, a changed field, or only new formatting.
  fc
    .tuple(
      fc.nat(1),
      fc.constantFrom('extra', 'sub', 'alg', 'exp', 'format', 'groups'),
      fc.string({ maxLength: 8 }),
    )
    .map(([seg, kind, value]) => ({
      label: `json ${seg} ${kind}`,
      apply: (t: string) => {
        const parts = t.split('.');
        const obj = JSON.parse(Buffer.from(parts[seg]!, 'base64url').toString('utf8')) as Record<
          string,
          unknown
        >;
        let text: string;
        if (kind === 'format') text = JSON.stringify(obj, null, 1);
        else {
          if (kind === 'extra') obj[`x${value}`] = value;
          else if (kind === 'sub') obj.sub = 'admin';
          else if (kind === 'alg') obj.alg = seg === 0 ? 'none' : value;
          else if (kind === 'exp') obj.exp = 9_999_999_999;
          else obj.groups = ['admins'];
          text = JSON.stringify(obj);
        }
        parts[seg] = Buffer.from(text).toString('base64url');
        return parts.join('.');
      },
    })),
  // Truncate or extend.
  fc.tuple(fc.nat(), fc.stringMatching(/^[A-Za-z0-9_-]{1,4}$/)).map(([n, s]) => ({
    label: `cut ${n} / add ${s}`,
    apply: (t: string) => (n % 2 === 0 ? t.slice(0, Math.max(1, t.length - 1 - (n % 8))) : t + s),
  })),
);

/** True when two compact JWS differ only in the unused bits of the signature's last base64url character. */
export function sameBytes(a: string, b: string): boolean {
  const [ah, ap, as] = a.split('.');
  const [bh, bp, bs] = b.split('.');
  return (
    ah === bh &&
    ap === bp &&
    as !== undefined &&
    bs !== undefined &&
    /^[A-Za-z0-9_-]*$/.test(bs) &&
    bs.length === as.length &&
    Buffer.from(as, 'base64url').equals(Buffer.from(bs, 'base64url'))
  );
}

/**
 * Header maps that carry well-formed credentials: an assertion, a service-account token in one of
 * Pomerium's schemes, sometimes both, sometimes the same token twice, sometimes two different
 * ones: what extraction must find (or refuse as ambiguous).
 */
export const wellFormedCredentials: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.option(jwsShaped, { nil: undefined }),
    fc.option(
      fc.tuple(
        carrier.filter((c) => c !== 'assertion'),
        jwsShaped,
      ),
      { nil: undefined },
    ),
    fc.option(
      fc.tuple(
        carrier.filter((c) => c !== 'assertion'),
        jwsShaped,
      ),
      { nil: undefined },
    ),
  )
  .map(([assertion, first, second]) => ({
    ...(second ? carry(second[0], second[1]) : {}),
    ...(first ? carry(first[0], first[1]) : {}),
    ...(assertion ? carry('assertion', assertion) : {}),
  }));
