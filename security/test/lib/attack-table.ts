// The attack table: one line per case, run against core's `authenticate` (attacks.test.ts) and,
// for the lines an HTTP client can send, over real HTTP through the Express example
// (attacks-http.test.ts). Expectations:
//   'pass <user> [by <initiator>] [@<credential source>] [groups=<a,b>]'  the identity it must give
//   'anon'                                                                 anonymous (required: false)
//   '<status> <error> [<reason>]'                                          the PomeriumAuthError it must throw
import { createPrivateKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { RouteRule } from '@pomerium-auth/core';
import { signJwt } from '@pomerium-auth/testing';
import type { AuthName, Fixtures } from './fixtures.js';
import { HOST, KIOSK } from './fixtures.js';

export interface AttackRow {
  name: string;
  auth: AuthName;
  method: string;
  headers: Record<string, string | string[]>;
  /** Node's rawHeaders, for repeats that `headers` folded away. */
  rawHeaders?: string[];
  route?: RouteRule;
  expect: string;
  /** False when an HTTP client cannot send the input unchanged (CR/LF, non-Latin-1, edge whitespace). */
  http: boolean;
  /** A request sent first (its outcome ignored), e.g. to put a token in the verified-token cache. */
  warm?: Record<string, string>;
  /** A known core bug: the row runs as a `todo` (reported, not failing) until core is fixed. */
  bug?: string;
}

type More = Partial<
  Pick<AttackRow, 'auth' | 'method' | 'rawHeaders' | 'route' | 'http' | 'bug' | 'warm'>
>;

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

export function attackRows(f: Fixtures): AttackRow[] {
  const rows: AttackRow[] = [];
  const r = (
    name: string,
    headers: Record<string, string | string[]>,
    expect: string,
    more: More = {},
  ): void => {
    rows.push({
      name,
      auth: more.auth ?? 'main',
      method: more.method ?? 'GET',
      headers,
      expect,
      http: more.http ?? true,
      ...pick(more),
    });
  };
  const A = (t: string): Record<string, string> => ({ 'x-pomerium-jwt-assertion': t });
  const X = (t: string): Record<string, string> => ({ 'x-pomerium-authorization': t });
  const P = (t: string): Record<string, string> => ({ authorization: `Pomerium ${t}` });
  const B = (t: string): Record<string, string> => ({ authorization: `Bearer Pomerium-${t}` });
  const imp = (
    user: string,
    extra: Record<string, string | string[]> = {},
  ): Record<string, string | string[]> => ({ 'impersonate-user': user, ...extra });

  const es = f.es.keys[0]!;
  const rsKey = f.rs.keys[0]!;
  const now = f.now;
  const ok = f.assertion();
  const [h, p] = ok.split('.') as [string, string, string];
  const esPem = es.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  const rsPem = rsKey.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  const none = (alg: string): string => signJwt({ alg, typ: 'JWT', kid: es.kid }, f.claims(), null);
  const withSig = (sig: Buffer | string): string =>
    `${h}.${p}.${typeof sig === 'string' ? sig : b64(sig)}`;
  const derSig = (): string => {
    const signer = createSign('sha256');
    signer.update(`${h}.${p}`);
    return b64(signer.sign(es.privateKey)); // DER, not JOSE's r || s
  };
  const evilSigned = (header: Record<string, unknown>): string =>
    signJwt({ alg: 'ES256', typ: 'JWT', ...header }, f.claims({ sub: 'admin' }), f.evil.privateKey);
  const admin = f.assertion({ sub: 'admin', email: 'admin@corp.example', groups: ['admins'] });
  const as = (sub: string, extra: Record<string, unknown> = {}): string =>
    f.assertion({ sub, email: undefined, groups: [], ...extra });
  const sa = f.sa();
  const other = f.sa('sa-other', 'carl');
  const legacyRaw = f.legacy({ sub: 'old', encoding: 'legacy-raw' });
  const ps256Key: KeyObject = createPrivateKey(
    rsKey.privateKey.export({ format: 'pem', type: 'pkcs8' }),
  );
  const big = (n: number): string[] => Array.from({ length: n }, (_, i) => `group-${i}`);
  const padTo = (bytes: number): string => {
    const t = f.assertion({ pad: '' });
    return f.assertion({ pad: 'x'.repeat(Math.ceil(((bytes - t.length) * 3) / 4)) });
  };
  const x5c = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ format: 'der', type: 'spki' })
    .toString('base64');

  // Baseline: genuine credentials pass.
  r('genuine ES256 assertion', A(ok), 'pass alice @assertion');
  r('genuine RS256 assertion', A(f.rs.mintAssertion({ sub: 'alice' })), 'pass alice @assertion');
  r('service account in x-pomerium-authorization', X(sa), 'pass bot @x-pomerium-authorization');
  r('service account as "Pomerium <jwt>"', P(sa), 'pass bot @authorization-pomerium');
  r('service account as "Bearer Pomerium-<jwt>"', B(sa), 'pass bot @authorization-bearer-pomerium');
  r('historic pomerium-cli token', B(f.legacy({ sub: 'cli-user' })), 'pass cli-user');

  // alg none, in any casing, signed or not.
  r('alg "none", empty signature', A(none('none')), '401 invalid_token algorithm_not_allowed');
  r('alg "None"', A(none('None')), '401 invalid_token algorithm_not_allowed');
  r('alg "NONE"', A(none('NONE')), '401 invalid_token algorithm_not_allowed');
  r('alg "nOnE"', A(none('nOnE')), '401 invalid_token algorithm_not_allowed');
  r(
    'alg "none" over a genuine ES256 signature',
    A(f.assertion({}, { header: { alg: 'none' } })),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'alg "none" as a service-account token',
    B(signJwt({ alg: 'none' }, { jti: 'sa-bot', sub: 'bot' }, null)),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'alg "none" twice in the header JSON, last wins',
    A(signJwt(`{"alg":"ES256","kid":"${es.kid}","alg":"none"}`, f.claims(), null)),
    '401 invalid_token algorithm_not_allowed',
  );

  // Algorithm confusion and RS/ES swaps.
  r(
    'HS256 keyed with the ES public key PEM',
    A(signJwt({ alg: 'HS256', kid: es.kid }, f.claims({ sub: 'admin' }), Buffer.from(esPem))),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'HS256 keyed with the ES public JWK JSON',
    A(
      signJwt(
        { alg: 'HS256', kid: es.kid },
        f.claims({ sub: 'admin' }),
        Buffer.from(JSON.stringify(es.publicJwk)),
      ),
    ),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'HS256 keyed with the RS public key PEM',
    A(signJwt({ alg: 'HS256', kid: rsKey.kid }, f.claims({ sub: 'admin' }), Buffer.from(rsPem))),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'HS256 keyed with the ES PEM, sent as a service account',
    B(signJwt({ alg: 'HS256' }, { jti: 'sa-bot', sub: 'admin' }, Buffer.from(esPem))),
    '401 invalid_token bad_signature',
  );
  r(
    'HS256 with the shared secret in the assertion header',
    A(f.hs256(f.claims({ sub: 'admin' }))),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'ES256 assertion in a service-account header',
    B(f.assertion()),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'ES256 assertion in a service-account header, after it passed as an assertion',
    B(ok),
    '401 invalid_token algorithm_not_allowed',
    { warm: A(ok) },
  );
  r(
    'HS256 service-account token in the assertion header',
    A(f.sa('sa-x', 'bot')),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'HS256 service-account token in the assertion header, after it passed as a service account',
    A(sa),
    '401 invalid_token algorithm_not_allowed',
    { warm: B(sa) },
  );
  r(
    'ES-signed, header says RS256 with the ES kid',
    A(f.assertion({}, { header: { alg: 'RS256' } })),
    '401 invalid_token unknown_key',
  );
  r(
    'RS-signed, header says ES256 with the RS kid',
    A(f.rs.mintAssertion({}, { header: { alg: 'ES256' } })),
    '401 invalid_token unknown_key',
  );
  r(
    'RS-signed, header says ES256 with the ES kid',
    A(f.rs.mintAssertion({}, { header: { alg: 'ES256', kid: es.kid } })),
    '401 invalid_token bad_signature',
  );
  r(
    'PS256 with the RS key',
    A(signJwt({ alg: 'PS256', kid: rsKey.kid }, f.claims(), ps256Key)),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'ES384 header',
    A(signJwt({ alg: 'ES384', kid: es.kid }, f.claims(), null)),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'EdDSA header',
    A(signJwt({ alg: 'EdDSA', kid: es.kid }, f.claims(), null)),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'HS512 service account',
    B(signJwt({ alg: 'HS512' }, { jti: 'sa-bot', sub: 'bot' }, f.es.sharedSecretBytes)),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    '"hs256" in lower case',
    B(
      signJwt({ alg: 'hs256' }, { jti: 'sa-bot', sub: 'bot' }, f.es.sharedSecretBytes, {
        signingAlg: 'HS256',
      }),
    ),
    '401 invalid_token algorithm_not_allowed',
  );
  r(
    'ES256 signature in DER instead of r||s',
    A(withSig(derSig())),
    '401 invalid_token bad_signature',
  );
  r(
    'ES256 signature r = s = 0 (CVE-2022-21449)',
    A(withSig(Buffer.alloc(64))),
    '401 invalid_token bad_signature',
  );
  r(
    'ES256 signature of 0xff bytes',
    A(withSig(Buffer.alloc(64, 0xff))),
    '401 invalid_token bad_signature',
  );
  r('empty signature segment', A(`${h}.${p}.`), '401 invalid_token bad_signature');
  r('signature segment of one character', A(withSig('A')), '401 invalid_token malformed_token');

  // kid traversal and injection.
  r(
    'kid "../../etc/passwd"',
    A(f.assertion({}, { header: { kid: '../../etc/passwd' } })),
    '401 invalid_token unknown_key',
  );
  r(
    'kid SQL injection',
    A(f.assertion({}, { header: { kid: "' OR '1'='1' --" } })),
    '401 invalid_token unknown_key',
  );
  r(
    'kid of 4000 characters',
    A(f.assertion({}, { header: { kid: 'k'.repeat(4000) } })),
    '401 invalid_token unknown_key',
  );
  r(
    'kid "__proto__"',
    A(f.assertion({}, { header: { kid: '__proto__' } })),
    '401 invalid_token unknown_key',
  );
  r('kid ""', A(f.assertion({}, { header: { kid: '' } })), '401 invalid_token unknown_key');
  r(
    'kid with CR/LF inside the JSON string',
    A(f.assertion({}, { header: { kid: 'a\r\nb' } })),
    '401 invalid_token unknown_key',
  );
  r(
    'kid a number',
    A(f.assertion({}, { header: { kid: 1 } })),
    '401 invalid_token malformed_token',
  );
  r(
    'kid an object',
    A(f.assertion({}, { header: { kid: { $ne: '' } } })),
    '401 invalid_token malformed_token',
  );
  r('kid null', A(f.assertion({}, { header: { kid: null } })), '401 invalid_token malformed_token');
  r(
    'kid of the RS key on an ES256 token',
    A(f.assertion({}, { header: { kid: rsKey.kid } })),
    '401 invalid_token unknown_key',
  );
  r(
    'no kid, genuine signature: every configured key is tried',
    A(f.assertion({}, { header: { kid: undefined } })),
    'pass alice',
  );

  // Keys named by the token are never used.
  r(
    'jku to the attacker, attacker-signed',
    A(evilSigned({ kid: f.evil.kid, jku: 'https://evil.example/jwks.json' })),
    '401 invalid_token unknown_key',
  );
  r(
    'x5u to the attacker, attacker-signed',
    A(evilSigned({ kid: f.evil.kid, x5u: 'https://evil.example/cert.pem' })),
    '401 invalid_token unknown_key',
  );
  r(
    'embedded jwk, attacker kid',
    A(evilSigned({ kid: f.evil.kid, jwk: f.evil.publicJwk })),
    '401 invalid_token unknown_key',
  );
  r(
    'embedded jwk, genuine kid, attacker signature',
    A(evilSigned({ kid: es.kid, jwk: f.evil.publicJwk })),
    '401 invalid_token bad_signature',
  );
  r(
    'embedded jwk, no kid',
    A(evilSigned({ jwk: f.evil.publicJwk })),
    '401 invalid_token bad_signature',
  );
  r(
    'x5c, no kid, attacker signature',
    A(evilSigned({ x5c: [x5c] })),
    '401 invalid_token bad_signature',
  );
  r(
    'jku on a genuinely signed token is ignored, not honoured',
    A(f.assertion({}, { header: { jku: 'https://evil.example/jwks.json' } })),
    'pass alice',
  );

  // Header processing the suite does not do.
  r(
    'crit ["exp"]',
    A(f.assertion({}, { header: { crit: ['exp'] } })),
    '401 invalid_token unsupported_header',
  );
  r(
    'crit []',
    A(f.assertion({}, { header: { crit: [] } })),
    '401 invalid_token unsupported_header',
  );
  r(
    'b64: false (RFC 7797)',
    A(f.assertion({}, { header: { b64: false, crit: ['b64'] } })),
    '401 invalid_token unsupported_header',
  );
  r(
    'b64: false without crit',
    A(f.assertion({}, { header: { b64: false } })),
    '401 invalid_token unsupported_header',
  );
  r(
    'JWE header fields in three segments',
    A(f.assertion({}, { header: { enc: 'A256GCM' } })),
    '401 invalid_token unsupported_header',
  );
  r(
    'zip header',
    A(f.assertion({}, { header: { zip: 'DEF' } })),
    '401 invalid_token unsupported_header',
  );
  r(
    'header not JSON',
    A(`${b64('alg:ES256')}.${p}.${b64('x')}`),
    '401 invalid_token malformed_token',
  );
  r(
    'header a JSON array',
    A(`${b64('["ES256"]')}.${p}.${b64('x')}`),
    '401 invalid_token malformed_token',
  );
  r(
    'header without alg',
    A(signJwt({ kid: es.kid }, f.claims(), es.privateKey, { signingAlg: 'ES256' })),
    '401 invalid_token malformed_token',
  );
  r(
    'alg an array',
    A(signJwt({ alg: ['ES256'], kid: es.kid }, f.claims(), es.privateKey, { signingAlg: 'ES256' })),
    '401 invalid_token malformed_token',
  );

  // Compact syntax.
  r(
    'JWE: five segments',
    A(`${h}.${b64('k')}.${b64('iv')}.${b64('ct')}.${b64('tag')}`),
    '400 invalid_request malformed_credential',
  );
  r('four segments', A(`${ok}.${b64('x')}`), '400 invalid_request malformed_credential');
  r('two segments', A(`${h}.${p}`), '400 invalid_request malformed_credential');
  r('one segment', A(h), '400 invalid_request malformed_credential');
  r(
    'standard base64 "+" and "/"',
    A(`${h}.${p}.ab+/cd`),
    '400 invalid_request malformed_credential',
  );
  r(
    'base64 padding "="',
    A(`${h}.${p}.${ok.split('.')[2]}==`),
    '400 invalid_request malformed_credential',
  );
  r(
    'empty header segment',
    A(`.${p}.${ok.split('.')[2]}`),
    '400 invalid_request malformed_credential',
  );
  r('payload not JSON', A(f.es256('sub=admin')), '401 invalid_token malformed_token');
  r('payload a JSON array', A(f.es256('[{"sub":"admin"}]')), '401 invalid_token malformed_token');
  r('payload null', A(f.es256('null')), '401 invalid_token malformed_token');

  // Time.
  r(
    'expired assertion',
    A(f.assertion({}, { now: now - 3600 })),
    '401 invalid_token token_expired',
  );
  r(
    'expired 30 s ago: beyond the default 5 s clock tolerance',
    A(f.es256(f.claims({ exp: now - 30 }))),
    '401 invalid_token token_expired',
  );
  r(
    'expired 30 s ago: within a 120 s clock tolerance',
    A(f.es256(f.claims({ exp: now - 30 }))),
    'pass alice',
    { auth: 'skew' },
  );
  r(
    'not yet valid (nbf in an hour)',
    A(f.es256(f.claims({ nbf: now + 3600 }))),
    '401 invalid_token token_not_yet_valid',
  );
  r(
    'issued in the future (iat in an hour)',
    A(f.es256(f.claims({ iat: now + 3600, exp: now + 3900 }))),
    '401 invalid_token issued_in_future',
  );
  r('assertion without exp', A(f.assertion({ exp: undefined })), '401 invalid_token missing_claim');
  r(
    'exp a string',
    A(f.es256(f.claims({ exp: String(now + 300) }))),
    '401 invalid_token invalid_claim',
  );
  r(
    'exp 1e400 (Infinity)',
    A(f.es256(JSON.stringify(f.claims()).replace(/"exp":\d+/, '"exp":1e400'))),
    '401 invalid_token invalid_claim',
  );
  r('service account without exp (never expires)', B(f.sa('sa-bot', 'bot')), 'pass bot');
  r(
    'service account with exp passed',
    B(f.sa('sa-bot', 'bot', { issuedAt: now - 7200, expiresAt: now - 3600 })),
    '401 invalid_token token_expired',
  );
  r(
    'historic token expired',
    B(f.legacy({ sub: 'cli', now: now - 7200 })),
    '401 invalid_token token_expired',
  );
  r(
    'maxTokenAge 60: issued an hour ago',
    A(f.assertion({}, { now: now - 3600, lifetime: 7200 })),
    '401 invalid_token token_too_old',
    { auth: 'age' },
  );
  r(
    'maxTokenAge 60: no iat',
    A(f.assertion({ iat: undefined })),
    '401 invalid_token missing_claim',
    { auth: 'age' },
  );
  r('maxTokenAge 60: fresh token', A(ok), 'pass alice', { auth: 'age' });

  // Issuer and audience.
  r(
    'iss evil.example',
    A(f.assertion({ iss: 'evil.example' })),
    '401 invalid_token issuer_mismatch',
  );
  r(
    'iss app.example.com.evil.com',
    A(f.assertion({ iss: `${HOST}.evil.com` })),
    '401 invalid_token issuer_mismatch',
  );
  r(
    'iss evilapp.example.com',
    A(f.assertion({ iss: `evil${HOST}` })),
    '401 invalid_token issuer_mismatch',
  );
  r(
    'iss https://app.example.com/path',
    A(f.assertion({ iss: `https://${HOST}/path` })),
    '401 invalid_token issuer_mismatch',
  );
  r(
    'iss http:// (not https) host',
    A(f.assertion({ iss: `http://${HOST}/` })),
    '401 invalid_token issuer_mismatch',
  );
  r(
    'iss with a port',
    A(f.assertion({ iss: `https://${HOST}:8443/` })),
    '401 invalid_token issuer_mismatch',
  );
  r(
    'iss with userinfo',
    A(f.assertion({ iss: `https://evil.com@${HOST}/` })),
    '401 invalid_token issuer_mismatch',
  );
  r(
    'iss with a trailing dot',
    A(f.assertion({ iss: `${HOST}.` })),
    '401 invalid_token issuer_mismatch',
  );
  r('iss an array', A(f.assertion({ iss: [HOST] })), '401 invalid_token invalid_claim');
  r(
    'iss missing on an assertion',
    A(f.assertion({ iss: undefined })),
    '401 invalid_token missing_claim',
  );
  r(
    'iss in URI form (jwt_issuer_format: uri)',
    A(f.assertion({ iss: `https://${HOST}/` })),
    'pass alice',
  );
  r(
    'iss in upper case URI form',
    A(f.assertion({ iss: `HTTPS://${HOST.toUpperCase()}/` })),
    'pass alice',
  );
  // Look-alike hosts: only ASCII letters fold; the Kelvin sign (U+212A) lower-cases to "k" in Unicode.
  const kelvin = KIOSK.replace('k', '\u212a');
  const kiosk = { auth: 'kiosk' as const };
  r(
    'kiosk: the configured host passes',
    A(f.assertion({ iss: KIOSK, aud: KIOSK })),
    'pass alice',
    kiosk,
  );
  r(
    'kiosk: the host in ASCII upper case passes (host names fold ASCII case)',
    A(f.assertion({ iss: KIOSK.toUpperCase(), aud: `https://${KIOSK.toUpperCase()}/` })),
    'pass alice',
    kiosk,
  );
  r(
    'kiosk: iss with the Kelvin sign for k',
    A(f.assertion({ iss: kelvin, aud: KIOSK })),
    '401 invalid_token issuer_mismatch',
    kiosk,
  );
  r(
    'kiosk: iss in URI form with the Kelvin sign',
    A(f.assertion({ iss: `https://${kelvin}/`, aud: KIOSK })),
    '401 invalid_token issuer_mismatch',
    kiosk,
  );
  r(
    'kiosk: aud with the Kelvin sign for k',
    A(f.assertion({ iss: KIOSK, aud: kelvin })),
    '401 invalid_token audience_mismatch',
    kiosk,
  );
  r(
    'kiosk: aud array whose only match is a Kelvin look-alike',
    A(f.assertion({ iss: KIOSK, aud: ['other.example.com', kelvin] })),
    '401 invalid_token audience_mismatch',
    kiosk,
  );
  r(
    'kiosk: historic token whose iss has the Kelvin sign',
    B(f.legacy({ sub: 'cli', iss: kelvin })),
    '401 invalid_token issuer_mismatch',
    kiosk,
  );
  r(
    'kiosk: fullwidth ｋ is another host',
    A(f.assertion({ iss: KIOSK.replace('k', '\uff4b'), aud: KIOSK })),
    '401 invalid_token issuer_mismatch',
    kiosk,
  );
  r(
    'aud array containing the host',
    A(f.assertion({ aud: ['other.example.com', HOST] })),
    'pass alice',
  );
  r(
    'aud app.example.com.evil.com',
    A(f.assertion({ aud: [`${HOST}.evil.com`] })),
    '401 invalid_token audience_mismatch',
  );
  r(
    'aud a suffix (example.com)',
    A(f.assertion({ aud: 'example.com' })),
    '401 invalid_token audience_mismatch',
  );
  r(
    'aud a prefix (app.example.co)',
    A(f.assertion({ aud: 'app.example.co' })),
    '401 invalid_token audience_mismatch',
  );
  r(
    'aud https://app.example.com/path',
    A(f.assertion({ aud: `https://${HOST}/path` })),
    '401 invalid_token audience_mismatch',
  );
  r('aud []', A(f.assertion({ aud: [] })), '401 invalid_token invalid_claim');
  r('aud [1]', A(f.assertion({ aud: [1] })), '401 invalid_token invalid_claim');
  r(
    'aud missing on an assertion',
    A(f.assertion({ aud: undefined })),
    '401 invalid_token missing_claim',
  );
  r(
    'historic token for another route',
    B(f.legacy({ sub: 'cli', aud: ['other.example.com'] })),
    '401 invalid_token audience_mismatch',
  );
  r(
    'historic token from another issuer',
    B(f.legacy({ sub: 'cli', iss: 'evil.example' })),
    '401 invalid_token issuer_mismatch',
  );

  // Subject and claim types.
  r(
    'no sub and no user',
    A(f.assertion({ sub: undefined, user: undefined })),
    '401 invalid_token missing_claim',
  );
  r(
    'sub and user empty',
    A(f.es256(f.claims({ sub: '', user: '' }))),
    '401 invalid_token missing_claim',
  );
  r('sub a number', A(f.es256(f.claims({ sub: 42 }))), '401 invalid_token invalid_claim');
  r(
    'service account with empty sub',
    B(f.hs256({ jti: 'sa-bot', sub: '', iat: now })),
    '401 invalid_token missing_claim',
  );
  r(
    'service account with empty jti',
    B(f.hs256({ jti: '', sub: 'bot', iat: now })),
    '401 invalid_token missing_claim',
  );
  r('groups a string', A(f.assertion({ groups: 'admins' })), '401 invalid_token invalid_claim');
  r('groups numbers', A(f.assertion({ groups: [1, 2] })), '401 invalid_token invalid_claim');
  r(
    'groups nested objects',
    A(f.assertion({ groups: [{ name: 'admins' }] })),
    '401 invalid_token invalid_claim',
  );
  r(
    'groups nested arrays',
    A(f.assertion({ groups: [['admins']] })),
    '401 invalid_token invalid_claim',
  );
  r('email a number', A(f.assertion({ email: 7 })), '401 invalid_token invalid_claim');
  r('name an object', A(f.assertion({ name: { first: 'a' } })), '401 invalid_token invalid_claim');
  r('600 groups within the size bound', A(f.assertion({ groups: big(600) })), 'pass alice');
  r(
    '__proto__ claim pollutes nothing',
    A(f.es256(JSON.stringify(f.claims()).replace('{', '{"__proto__":{"admin":true},'))),
    'pass alice',
  );
  r(
    'historic token with groups a string',
    B(f.hs256({ sub: 'cli', user: 'cli', aud: [HOST], exp: now + 60, groups: 'admins' })),
    '401 invalid_token invalid_claim',
  );
  r(
    'historic token with impersonate_groups a string',
    B(
      f.hs256({
        sub: 'admin',
        user: 'admin',
        aud: [HOST],
        exp: now + 60,
        impersonate_email: 'user_1',
        impersonate_groups: 'viewers',
      }),
    ),
    '401 invalid_token invalid_claim',
  );

  // Size bound (16 KiB).
  // Over HTTP, Node's own 16 KiB header limit answers 431 first (attacks-http.test.ts checks it).
  r('assertion of 16385 bytes', A(padTo(16_385)), '400 invalid_request token_too_large', {
    http: false,
  });
  r('"Pomerium " + 16385 bytes', P('a'.repeat(16_385)), '400 invalid_request token_too_large', {
    http: false,
  });
  r(
    'maxTokenBytes 4096: an assertion of 4097 bytes',
    A(padTo(4_097)),
    '400 invalid_request token_too_large',
    { auth: 'small' },
  );
  r(
    'maxTokenBytes 4096: "Bearer Pomerium-" + 4097 bytes',
    B('a'.repeat(4_097)),
    '400 invalid_request token_too_large',
    { auth: 'small' },
  );
  r('maxTokenBytes 4096: an assertion of 4000 bytes', A(padTo(4_000)), 'pass alice', {
    auth: 'small',
  });
  r('a 1 MB header', A('a'.repeat(1 << 20)), '400 invalid_request token_too_large', {
    http: false,
  });
  r('assertion just under the bound', A(padTo(16_000)), 'pass alice');

  // Whitespace, CR/LF and scheme words.
  r('assertion with a trailing CR/LF', A(`${ok}\r\n`), '400 invalid_request malformed_credential', {
    http: false,
  });
  r('assertion with a leading space', A(` ${ok}`), '400 invalid_request malformed_credential', {
    http: false,
  });
  r(
    '"Pomerium  <jwt>" (two spaces)',
    { authorization: `Pomerium  ${sa}` },
    '400 invalid_request malformed_credential',
  );
  r(
    '"Pomerium <jwt> trailing"',
    { authorization: `Pomerium ${sa} x` },
    '400 invalid_request malformed_credential',
  );
  r(
    '"pomerium <jwt>" in lower case is no credential',
    { authorization: `pomerium ${sa}` },
    '401 credentials_required no_credentials',
  );
  r(
    '"POMERIUM <jwt>" is no credential',
    { authorization: `POMERIUM ${sa}` },
    '401 credentials_required no_credentials',
  );
  r(
    '"Pomerium\\t<jwt>" is no credential',
    { authorization: `Pomerium\t${sa}` },
    '401 credentials_required no_credentials',
  );
  r(
    'plain "Bearer <jwt>" is no credential',
    { authorization: `Bearer ${sa}` },
    '401 credentials_required no_credentials',
  );
  r(
    '"Bearer pomerium-<jwt>" is no credential',
    { authorization: `Bearer pomerium-${sa}` },
    '401 credentials_required no_credentials',
  );
  r(
    '"Bearer  Pomerium-<jwt>" is no credential',
    { authorization: `Bearer  Pomerium-${sa}` },
    '401 credentials_required no_credentials',
  );
  r(
    'X-Pomerium-Claim-* headers are never read',
    { 'x-pomerium-claim-email': 'admin@corp.example', 'x-pomerium-claim-user': 'admin' },
    '401 credentials_required no_credentials',
  );
  r('no credential at all', {}, '401 credentials_required no_credentials');

  // Repeated headers.
  r('assertion twice, same value', { 'x-pomerium-jwt-assertion': [ok, ok] }, 'pass alice');
  r(
    'assertion twice, different values',
    { 'x-pomerium-jwt-assertion': [ok, admin] },
    '400 invalid_request repeated_header',
  );
  r('assertion folded "a, b"', A(`${ok}, ${admin}`), '400 invalid_request repeated_header');
  r('assertion folded "a, a"', A(`${ok}, ${ok}`), 'pass alice', { http: false });
  r('assertion "a, a" in one line, with rawHeaders', A(`${ok}, ${ok}`), 'pass alice', {
    rawHeaders: ['X-Pomerium-Jwt-Assertion', `${ok}, ${ok}`],
  });
  r('assertion twice in rawHeaders, same value', A(`${ok}, ${ok}`), 'pass alice', {
    rawHeaders: ['X-Pomerium-Jwt-Assertion', ok, 'x-pomerium-jwt-assertion', ok],
  });
  r(
    'assertion twice in rawHeaders, different values',
    A(`${ok}, ${admin}`),
    '400 invalid_request repeated_header',
    { rawHeaders: ['X-Pomerium-Jwt-Assertion', ok, 'x-pomerium-jwt-assertion', admin] },
  );
  r(
    'x-pomerium-authorization folded "a, b"',
    X(`${sa}, ${other}`),
    '400 invalid_request repeated_header',
  );
  r(
    'authorization twice (rawHeaders), different tokens',
    P(sa),
    '400 invalid_request repeated_header',
    { rawHeaders: ['Authorization', `Pomerium ${sa}`, 'authorization', `Pomerium ${other}`] },
  );
  r('authorization twice (rawHeaders), same token', P(sa), 'pass bot', {
    rawHeaders: ['Authorization', `Pomerium ${sa}`, 'AUTHORIZATION', `Pomerium ${sa}`],
  });
  r(
    'impersonate-user twice, different values',
    { ...A(admin), 'impersonate-user': ['user_1', 'user_2'] },
    '400 invalid_request repeated_header',
    { http: false },
  );
  r(
    'impersonate-user twice as Node folds it ("user_1, user_2" + rawHeaders)',
    { ...A(admin), 'impersonate-user': 'user_1, user_2' },
    '400 invalid_request repeated_header',
    {
      auth: 'nodir',
      rawHeaders: [
        'X-Pomerium-Jwt-Assertion',
        admin,
        'Impersonate-User',
        'user_1',
        'impersonate-user',
        'user_2',
      ],
    },
  );

  // Mixed schemes.
  r(
    'two different service-account tokens',
    { ...X(sa), ...P(other) },
    '400 invalid_request ambiguous_credentials',
  );
  r('the same token in two schemes', { ...X(sa), ...B(sa) }, 'pass bot @x-pomerium-authorization');
  r(
    'assertion + Bearer Pomerium-: the assertion wins',
    { ...A(ok), ...B(other) },
    'pass alice @assertion',
  );
  // An accepted assertion is the credential: the service-account headers beside it are not read,
  // whatever their shape (Pomerium forwards `Authorization: Bearer Pomerium-...` upstream).
  r(
    'assertion + a malformed Bearer Pomerium- header: the assertion wins',
    { ...A(ok), authorization: 'Bearer Pomerium-not a token' },
    'pass alice @assertion',
  );
  r(
    'assertion + an oversized Bearer Pomerium- token: the assertion wins',
    { ...A(ok), authorization: `Bearer Pomerium-${'a'.repeat(20_000)}.b.c` },
    'pass alice @assertion',
    // Over HTTP, Node's own 16 KiB header limit answers 431 before any middleware.
    { http: false },
  );
  r(
    'assertion + two different service-account tokens: the assertion wins',
    { ...A(ok), ...X(sa), ...P(other) },
    'pass alice @assertion',
  );
  r(
    'assertion + x-pomerium-authorization repeated with different values: the assertion wins',
    { ...A(ok), 'x-pomerium-authorization': [sa, other] },
    'pass alice @assertion',
  );
  r(
    'a malformed Bearer Pomerium- header without an assertion is still 400',
    { authorization: 'Bearer Pomerium-not a token' },
    '400 invalid_request malformed_credential',
  );
  r(
    'a bad assertion + a valid service account: the assertion decides, no fallback',
    { ...A(`${ok.slice(0, -4)}AAAA`), ...B(sa) },
    '401 invalid_token bad_signature',
  );
  r(
    'assertions not accepted: a malformed service-account header beside an assertion is 400',
    { ...A(ok), authorization: 'Bearer Pomerium-not a token' },
    '400 invalid_request malformed_credential',
    { auth: 'saOnly' },
  );
  r(
    'expired assertion + valid service account: no fallback',
    { ...A(f.assertion({}, { now: now - 3600 })), ...B(sa) },
    '401 invalid_token token_expired',
  );
  r(
    'assertion + service account, assertions not accepted',
    { ...A(ok), ...B(sa) },
    'pass bot @authorization-bearer-pomerium',
    { auth: 'saOnly' },
  );
  r('legacy-raw token, not opted in', B(legacyRaw), '401 invalid_token bad_signature');
  r('legacy-raw token, opted in', B(legacyRaw), 'pass old', { auth: 'legacy' });
  r("today's token under legacy-raw", B(sa), '401 invalid_token bad_signature', { auth: 'legacy' });
  r('optional: no credential is anonymous', {}, 'anon', { auth: 'optional' });
  r(
    'optional: a bad credential is still refused',
    A(none('none')),
    '401 invalid_token algorithm_not_allowed',
    { auth: 'optional' },
  );
  r(
    'optional: impersonation without credential',
    imp('user_1'),
    '401 credentials_required no_credentials',
    { auth: 'optional' },
  );

  // Service-account records.
  r('known service account', B(sa), 'pass bot', { auth: 'records' });
  r(
    'unknown service account',
    B(f.sa('sa-ghost', 'bot')),
    '401 invalid_token unknown_service_account',
    { auth: 'records' },
  );
  r(
    'expired service-account record',
    B(f.sa('sa-old', 'bot')),
    '401 invalid_token service_account_expired',
    { auth: 'records' },
  );
  r(
    'record of another user',
    B(f.sa('sa-bot', 'admin')),
    '401 invalid_token service_account_mismatch',
    { auth: 'records' },
  );

  // Impersonation (directory configured).
  r('admin as user_1', { ...A(admin), ...imp('user_1') }, 'pass user_1 by admin');
  r(
    'non-grantee bob as user_1',
    { ...A(as('bob')), ...imp('user_1') },
    '403 impersonation_denied not_allowed',
  );
  r(
    'admin as protected root',
    { ...A(admin), ...imp('root') },
    '403 impersonation_denied protected_target',
  );
  r(
    'admin as carol (protected group admins)',
    { ...A(admin), ...imp('carol') },
    '403 impersonation_denied protected_target',
  );
  r('admin as admin: not impersonation', { ...A(admin), ...imp('admin') }, 'pass admin');
  r(
    'admin as user_1 with granted group viewers',
    { ...A(admin), ...imp('user_1', { 'impersonate-group': 'viewers' }) },
    'pass user_1 by admin groups=viewers',
  );
  r(
    'group escalation: admin as user_1 with group admins',
    { ...A(admin), ...imp('user_1', { 'impersonate-group': 'admins' }) },
    '403 impersonation_denied group_not_allowed',
  );
  r(
    'group escalation: folded groups "viewers, admins"',
    { ...A(admin), ...imp('user_1', { 'impersonate-group': 'viewers, admins' }) },
    '403 impersonation_denied group_not_allowed',
  );
  r(
    'group escalation: groups header alone',
    { ...A(admin), 'impersonate-group': 'admins' },
    '403 impersonation_denied not_allowed',
  );
  r(
    'group escalation: bob as himself with group admins',
    { ...A(as('bob')), ...imp('bob', { 'impersonate-group': 'admins' }) },
    '403 impersonation_denied not_allowed',
  );
  r(
    'group escalation: admin as himself with group admins',
    { ...A(admin), ...imp('admin', { 'impersonate-group': 'admins' }) },
    '403 impersonation_denied protected_target',
  );
  r(
    'initiator by group: helper (support) as user_2',
    { ...A(as('helper', { groups: ['support'] })), ...imp('user_2') },
    'pass user_2 by helper',
  );
  r(
    'target by group: admin as dave (customers)',
    { ...A(admin), ...imp('dave') },
    'pass dave by admin',
  );
  r('target by email', { ...A(admin), ...imp('user_1@corp.example') }, 'pass user_1 by admin');
  r(
    'target by email in upper case',
    { ...A(admin), ...imp('USER_1@CORP.EXAMPLE') },
    'pass user_1 by admin',
  );
  r(
    'protected target by email in mixed case',
    { ...A(admin), ...imp('ROOT@Corp.Example') },
    '403 impersonation_denied protected_target',
  );
  r(
    'target id in another case is another user',
    { ...A(admin), ...imp('USER_1') },
    '403 impersonation_denied unknown_target',
  );
  r('unknown target', { ...A(admin), ...imp('nobody') }, '403 impersonation_denied unknown_target');
  r(
    'grantee by email, same case',
    { ...A(as('boss', { email: 'Boss@Corp.example' })), ...imp('user_1') },
    'pass user_1 by boss',
  );
  r(
    'grantee by email, other case (emails are case-insensitive)',
    { ...A(as('boss', { email: 'BOSS@CORP.EXAMPLE' })), ...imp('user_1') },
    'pass user_1 by boss',
  );
  r(
    'grantee id in another case is not the grantee',
    { ...A(as('Admin')), ...imp('user_1') },
    '403 impersonation_denied not_allowed',
  );
  r(
    'grantee id in upper case is not the grantee',
    { ...A(as('ADMIN')), ...imp('user_1') },
    '403 impersonation_denied not_allowed',
  );
  r(
    'regex /svc-[a-z]+/ matches svc-abc',
    { ...A(admin), ...imp('svc-abc') },
    'pass svc-abc by admin',
  );
  r(
    'regex /svc-[a-z]+/ is anchored: not svc-a-admin',
    { ...A(admin), ...imp('svc-a-admin') },
    '403 impersonation_denied not_allowed',
  );
  r(
    'regex /svc-[a-z]+/ is anchored: not xsvc-abc',
    { ...A(admin), ...imp('xsvc-abc') },
    '403 impersonation_denied not_allowed',
  );
  r(
    'regex /svc-a|svc-b/ anchors the alternation: not svc-a-admin',
    { ...A(as('ops')), ...imp('svc-a-admin') },
    '403 impersonation_denied not_allowed',
  );
  r('regex /svc-a|svc-b/ matches svc-a', { ...A(as('ops')), ...imp('svc-a') }, 'pass svc-a by ops');
  r(
    'glob user_? is one character: not user_12',
    { ...A(as('auditor')), ...imp('user_12') },
    '403 impersonation_denied not_allowed',
  );
  r(
    'glob user_* is anchored: not xuser_1',
    { ...A(admin), ...imp('xuser_1') },
    '403 impersonation_denied not_allowed',
  );
  r('read-only grant: GET', { ...A(as('auditor')), ...imp('user_1') }, 'pass user_1 by auditor');
  r(
    'read-only grant: POST',
    { ...A(as('auditor')), ...imp('user_1') },
    '403 impersonation_denied read_only',
    { method: 'POST' },
  );
  r(
    'read-only grant: lower-case "post"',
    { ...A(as('auditor')), ...imp('user_1') },
    '403 impersonation_denied read_only',
    { method: 'post', http: false },
  );
  r(
    'route forbids impersonation',
    { ...A(admin), ...imp('user_1') },
    '403 impersonation_denied forbidden_on_route',
    { route: { impersonation: 'forbid' }, http: false },
  );
  r(
    'route grants replace the global ones (bob allowed)',
    { ...A(as('bob')), ...imp('user_1') },
    'pass user_1 by bob',
    {
      route: { impersonation: { grants: [{ initiators: ['bob'], targets: ['user_1'] }] } },
      http: false,
    },
  );
  r(
    'route grants replace the global ones (admin not)',
    { ...A(admin), ...imp('user_1') },
    '403 impersonation_denied not_allowed',
    {
      route: { impersonation: { grants: [{ initiators: ['bob'], targets: ['user_1'] }] } },
      http: false,
    },
  );
  r(
    "token claims: admin's historic token asks for user_1",
    B(f.legacy({ sub: 'admin', impersonate_email: 'user_1' })),
    'pass user_1 by admin',
  );
  r(
    'token claims: non-grantee bob asks for user_1',
    B(f.legacy({ sub: 'bob', impersonate_email: 'user_1' })),
    '403 impersonation_denied not_allowed',
  );
  r(
    'token claims: admin asks for protected root',
    B(f.legacy({ sub: 'admin', impersonate_email: 'root' })),
    '403 impersonation_denied protected_target',
  );
  r(
    'token claims: admin asks for group admins',
    B(f.legacy({ sub: 'admin', impersonate_email: 'user_1', impersonate_groups: ['admins'] })),
    '403 impersonation_denied group_not_allowed',
  );
  r(
    'chaining: token claims plus a header',
    { ...B(f.legacy({ sub: 'admin', impersonate_email: 'user_1' })), ...imp('user_2') },
    '403 impersonation_denied chaining',
  );
  r(
    'act claim: admin acting as user_1',
    A(f.assertion({ sub: 'user_1', act: { sub: 'admin' } })),
    'pass user_1 by admin',
  );
  r(
    'act claim: non-grantee bob acting as user_1',
    A(f.assertion({ sub: 'user_1', act: { sub: 'bob' } })),
    '403 impersonation_denied not_allowed',
  );
  r(
    'act claim: admin acting as protected root',
    A(f.assertion({ sub: 'root', act: { sub: 'admin' } })),
    '403 impersonation_denied protected_target',
  );
  r(
    'act claim malformed (a string)',
    A(f.assertion({ sub: 'user_1', act: 'admin' })),
    '403 impersonation_denied not_allowed',
  );
  r(
    'chaining: an act claim and impersonate_email in one token',
    A(f.assertion({ sub: 'user_1', act: { sub: 'admin' }, impersonate_email: 'user_2' })),
    '403 impersonation_denied chaining',
  );
  r(
    'chaining: act claim plus a header',
    { ...A(f.assertion({ sub: 'user_1', act: { sub: 'admin' } })), ...imp('user_2') },
    '403 impersonation_denied chaining',
  );
  r(
    'service account as admin impersonates user_1',
    { ...B(f.sa('sa-admin', 'admin')), ...imp('user_1') },
    'pass user_1 by admin',
  );
  r(
    'empty impersonate-user header asks for nothing',
    { ...A(admin), 'impersonate-user': '' },
    'pass admin',
  );
  r(
    'requireReason: no reason',
    { ...A(admin), ...imp('user_1') },
    '400 invalid_request reason_required',
    { auth: 'reason' },
  );
  r(
    'requireReason: with a reason',
    { ...A(admin), ...imp('user_1', { 'impersonate-reason': 'ticket 42' }) },
    'pass user_1 by admin',
    { auth: 'reason' },
  );
  r(
    'impersonation disabled',
    { ...A(admin), ...imp('user_1') },
    '403 impersonation_denied impersonation_disabled',
    { auth: 'off' },
  );

  // Look-alike names. `protect` compares names folded to what they look like (case, NFKC, marks,
  // confusable letters); names with invisible characters or pattern syntax are refused outright.
  r(
    'look-alike: Cyrillic "аdmin" with a directory: no such user',
    { ...A(as('superuser')), ...imp('\u0430dmin') },
    '403 impersonation_denied unknown_target',
    { http: false },
  );
  r(
    'look-alike: Cyrillic "аdmin" without a directory is caught by confusable folding',
    { ...A(as('superuser')), ...imp('\u0430dmin') },
    '403 impersonation_denied protected_target',
    { auth: 'nodir', http: false },
  );
  r(
    'look-alike: fullwidth "ａｄｍｉｎ" is caught by NFKC folding',
    { ...A(as('superuser')), ...imp('\uff41\uff44\uff4d\uff49\uff4e') },
    '403 impersonation_denied protected_target',
    { auth: 'nodir', http: false },
  );
  r(
    'look-alike: "ADMIN" is caught by case folding',
    { ...A(as('superuser')), ...imp('ADMIN') },
    '403 impersonation_denied protected_target',
    { auth: 'nodir' },
  );
  r(
    'look-alike: "Root-2" is caught by folding + glob root*',
    { ...A(as('superuser')), ...imp('Root-2') },
    '403 impersonation_denied protected_target',
    { auth: 'nodir' },
  );
  r(
    'look-alike: "ｒｏｏｔ" (fullwidth) is caught by folding',
    { ...A(as('superuser')), ...imp('\uff52\uff4f\uff4f\uff54') },
    '403 impersonation_denied protected_target',
    { auth: 'nodir', http: false },
  );
  r(
    'look-alike: "admin" + zero-width space without a directory is refused as no name',
    { ...A(as('superuser')), ...imp('admin\u200b') },
    '403 impersonation_denied invalid_target',
    { auth: 'nodir', http: false },
  );
  r(
    'look-alike: "admin" + zero-width space with a directory is refused before any lookup',
    { ...A(as('superuser')), ...imp('admin\u200b') },
    '403 impersonation_denied invalid_target',
    { http: false },
  );
  r(
    'look-alike: fullwidth group "ａｄｍｉｎｓ" asked for is protected',
    {
      ...A(as('superuser')),
      ...imp('user_1', { 'impersonate-group': '\uff41\uff44\uff4d\uff49\uff4e\uff53' }),
    },
    '403 impersonation_denied protected_target',
    { auth: 'nodir', http: false },
  );
  r(
    'look-alike: "Admins" group asked for is protected',
    { ...A(as('superuser')), ...imp('user_1', { 'impersonate-group': 'Admins' }) },
    '403 impersonation_denied protected_target',
    { auth: 'nodir' },
  );
  r(
    'glob user_* spans "@": user_1@evil.example without a directory',
    { ...A(admin), ...imp('user_1@evil.example') },
    'pass user_1@evil.example by admin',
    { auth: 'nodir' },
  );
  r(
    'glob user_* spans "@": user_1@evil.example with a directory: no such user',
    { ...A(admin), ...imp('user_1@evil.example') },
    '403 impersonation_denied unknown_target',
  );
  r(
    'glob user_* in an email: "uſer_1@evil.example" (long s) is not user_…',
    { ...A(admin), ...imp('u\u017fer_1@evil.example') },
    '403 impersonation_denied not_allowed',
    { auth: 'nodir', http: false },
  );
  r(
    'glob user_* and "user_1/../root" is that literal name, not root',
    { ...A(admin), ...imp('user_1/../root') },
    'pass user_1/../root by admin',
    { auth: 'nodir' },
  );
  r(
    'target id with CR/LF is trimmed before matching',
    { ...A(admin), ...imp('user_1\r\n') },
    'pass user_1 by admin',
    { http: false },
  );
  r(
    'target with an embedded newline is refused as no name',
    { ...A(admin), ...imp('svc-abc\nadmin') },
    '403 impersonation_denied invalid_target',
    { http: false },
  );
  const invalidTargets: Array<[string, string]> = [
    ['a NUL', 'user_1\u0000'],
    ['a right-to-left override', 'user_\u202e1'],
    ['a zero-width joiner', 'ro\u200dot'],
    ['a soft hyphen', 'ad\u00admin'],
    ['a byte-order mark', 'user\ufeff_1'],
    ['a line separator', 'user\u2028_1'],
    ['a lone surrogate', 'user_\ud8001'],
    ['the glob "*"', '*'],
    ['a glob "user_*"', 'user_*'],
    ['the glob "?"', 'user_?'],
    ['a regex "/.*/"', '/.*/'],
  ];
  for (const [what, name] of invalidTargets) {
    r(
      `target with ${what} is refused without a directory`,
      { ...A(as('superuser')), ...imp(name) },
      '403 impersonation_denied invalid_target',
      { auth: 'nodir', http: false },
    );
    r(
      `target with ${what} is refused in token claims too`,
      B(f.legacy({ sub: 'superuser', impersonate_email: name })),
      '403 impersonation_denied invalid_target',
      { auth: 'nodir', http: false },
    );
  }
  r(
    'a group asked for with a zero-width space is refused',
    { ...A(as('superuser')), ...imp('user_1', { 'impersonate-group': 'view\u200bers' }) },
    '403 impersonation_denied invalid_target',
    { auth: 'nodir', http: false },
  );
  const confusables: Array<[string, string]> = [
    ['Cyrillic о in "rооt"', 'r\u043e\u043et'],
    ['Greek ο in "rοot-1"', 'r\u03bfot-1'],
    ['digit zeros in "r00t"', 'r00t'],
    ['a combining dot in "ȧdmin"', 'a\u0307dmin'],
    ['mathematical bold "𝐚𝐝𝐦𝐢𝐧"', '\u{1d41a}\u{1d41d}\u{1d426}\u{1d422}\u{1d427}'],
    ['dotless ı in "admın"', 'adm\u0131n'],
  ];
  for (const [what, name] of confusables) {
    r(
      `look-alike: ${what} is caught by confusable folding`,
      { ...A(as('superuser')), ...imp(name) },
      '403 impersonation_denied protected_target',
      { auth: 'nodir', http: false },
    );
  }
  return rows;
}

function pick(more: More): Partial<AttackRow> {
  const out: Partial<AttackRow> = {};
  if (more.rawHeaders) out.rawHeaders = more.rawHeaders;
  if (more.route) out.route = more.route;
  if (more.bug) out.bug = more.bug;
  if (more.warm) out.warm = more.warm;
  return out;
}
