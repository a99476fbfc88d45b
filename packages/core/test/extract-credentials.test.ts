import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCredentials, type ExtractedCredentials } from '@pomerium-auth/core';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2ln';
const OTHER = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln';

type Row = [
  description: string,
  headers: Record<string, string | string[]>,
  expected: ExtractedCredentials | { error: string; reason: string },
  rawHeaders?: string[],
];

// SPEC 3: each scheme, Pomerium's exact matching, precedence, ambiguity and the size bound.
const rows: Row[] = [
  ['finds the identity header', { 'x-pomerium-jwt-assertion': JWT }, { assertion: JWT }],
  [
    'finds x-pomerium-authorization: <jwt>',
    { 'x-pomerium-authorization': JWT },
    { serviceAccount: { source: 'x-pomerium-authorization', token: JWT } },
  ],
  [
    'finds authorization: Pomerium <jwt>',
    { authorization: `Pomerium ${JWT}` },
    { serviceAccount: { source: 'authorization-pomerium', token: JWT } },
  ],
  [
    'finds authorization: Bearer Pomerium-<jwt>',
    { authorization: `Bearer Pomerium-${JWT}` },
    { serviceAccount: { source: 'authorization-bearer-pomerium', token: JWT } },
  ],
  [
    'keeps both an assertion and a Bearer Pomerium- token (Pomerium forwards that form)',
    { 'x-pomerium-jwt-assertion': JWT, authorization: `Bearer Pomerium-${OTHER}` },
    { assertion: JWT, serviceAccount: { source: 'authorization-bearer-pomerium', token: OTHER } },
  ],
  ['ignores a plain Bearer token', { authorization: `Bearer ${JWT}` }, {}],
  ['ignores the scheme word in lower case', { authorization: `pomerium ${JWT}` }, {}],
  ['ignores bearer pomerium- in lower case', { authorization: `bearer Pomerium-${JWT}` }, {}],
  ['ignores an empty x-pomerium-authorization', { 'x-pomerium-authorization': '' }, {}],
  [
    'accepts the same token in two schemes, reporting Pomerium’s first',
    { 'x-pomerium-authorization': JWT, authorization: `Pomerium ${JWT}` },
    { serviceAccount: { source: 'x-pomerium-authorization', token: JWT } },
  ],
  [
    'accepts a header repeated with the same value',
    { 'x-pomerium-authorization': [JWT, JWT] },
    { serviceAccount: { source: 'x-pomerium-authorization', token: JWT } },
  ],
  [
    'refuses two different service-account tokens',
    { 'x-pomerium-authorization': JWT, authorization: `Pomerium ${OTHER}` },
    { error: 'invalid_request', reason: 'ambiguous_credentials' },
  ],
  [
    'refuses a header repeated with different values',
    { 'x-pomerium-authorization': [JWT, OTHER] },
    { error: 'invalid_request', reason: 'repeated_header' },
  ],
  [
    'refuses an assertion header Node folded from two values',
    { 'x-pomerium-jwt-assertion': `${JWT}, ${OTHER}` },
    { error: 'invalid_request', reason: 'repeated_header' },
  ],
  [
    'refuses a second authorization header Node dropped (seen in rawHeaders)',
    { authorization: `Pomerium ${JWT}` },
    { error: 'invalid_request', reason: 'repeated_header' },
    ['Authorization', `Pomerium ${JWT}`, 'authorization', `Pomerium ${OTHER}`],
  ],
  [
    'refuses a double space after the scheme word',
    { authorization: `Pomerium  ${JWT}` },
    { error: 'invalid_request', reason: 'malformed_credential' },
  ],
  [
    'refuses a token that is not three base64url segments',
    { 'x-pomerium-authorization': 'abc.def' },
    { error: 'invalid_request', reason: 'malformed_credential' },
  ],
  [
    'refuses a JWE (five segments)',
    { 'x-pomerium-authorization': 'a.b.c.d.e' },
    { error: 'invalid_request', reason: 'malformed_credential' },
  ],
  [
    'refuses padding characters',
    { 'x-pomerium-authorization': `${JWT}=` },
    { error: 'invalid_request', reason: 'malformed_credential' },
  ],
  [
    'refuses CR/LF inside a token',
    { 'x-pomerium-authorization': `${JWT}\r\nx-evil: 1` },
    { error: 'invalid_request', reason: 'malformed_credential' },
  ],
  [
    'refuses a token over the size bound before parsing it',
    { 'x-pomerium-authorization': `${'a'.repeat(20_000)}.b.c` },
    { error: 'invalid_request', reason: 'token_too_large' },
  ],
];

describe('extractCredentials', () => {
  for (const [description, headers, expected, rawHeaders] of rows) {
    test(description, () => {
      const input = rawHeaders ? { headers, rawHeaders } : { headers };
      if ('error' in expected) {
        assert.throws(
          () => extractCredentials(input),
          (err: { error: string; reason: string; status: number }) => {
            assert.equal(err.error, expected.error);
            assert.equal(err.reason, expected.reason);
            assert.equal(err.status, 400);
            return true;
          },
        );
      } else {
        assert.deepEqual(extractCredentials(input), expected);
      }
    });
  }

  test('applies a configured size bound', () => {
    assert.throws(() => extractCredentials({ headers: { 'x-pomerium-authorization': JWT } }, 10), {
      reason: 'token_too_large',
    });
  });
});
