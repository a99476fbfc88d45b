// Property tests over credential extraction: whatever the headers, extractCredentials throws
// nothing but PomeriumAuthError (400 invalid_request), and what it returns is a well-formed
// compact JWS within the size bound, taken from the request itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractCredentials, PomeriumAuthError } from '@pomerium-auth/core';
import { headerMap, headerString, rawHeaders } from './lib/arbitraries.js';
import { fuzzParameters, SHARES } from './lib/fuzz-runs.js';

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function check(
  headers: Record<string, string | string[]>,
  raw: string[] | undefined,
  max: number,
): void {
  let out: ReturnType<typeof extractCredentials>;
  try {
    out = extractCredentials(raw === undefined ? { headers } : { headers, rawHeaders: raw }, max);
  } catch (err) {
    assert.ok(err instanceof PomeriumAuthError, `threw ${String(err)}`);
    assert.equal(err.status, 400);
    assert.equal(err.error, 'invalid_request');
    return;
  }
  const all = Object.values(headers).flat().join('\n');
  for (const token of [out.assertion, out.serviceAccount?.token]) {
    if (token === undefined) continue;
    assert.match(token, COMPACT);
    assert.ok(token.length <= max, 'within the size bound');
    assert.ok(all.includes(token), 'taken from the request');
  }
  if (out.assertion !== undefined) assert.ok(headers['x-pomerium-jwt-assertion'] !== undefined);
  const sa = out.serviceAccount;
  if (sa?.source === 'authorization-pomerium')
    assert.ok([headers.authorization].flat()[0]!.startsWith('Pomerium '));
  if (sa?.source === 'authorization-bearer-pomerium')
    assert.ok([headers.authorization].flat()[0]!.startsWith('Bearer Pomerium-'));
  if (sa?.source === 'x-pomerium-authorization')
    assert.ok(headers['x-pomerium-authorization'] !== undefined);
}

test('extraction over arbitrary header maps and rawHeaders: only PomeriumAuthError, only well-formed tokens', () => {
  fc.assert(
    fc.property(headerMap, rawHeaders, fc.integer({ min: 1, max: 80 }), (headers, raw, max) =>
      check(headers, raw, max),
    ),
    fuzzParameters(SHARES.extractionHeaderMaps),
  );
});

test('extraction over arbitrary strings in each credential header', () => {
  const value = fc.oneof(
    headerString,
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.string({ unit: 'binary-ascii', maxLength: 120 }),
  );
  fc.assert(
    fc.property(
      fc.constantFrom('x-pomerium-jwt-assertion', 'x-pomerium-authorization', 'authorization'),
      value,
      (name, v) => check({ [name]: v }, undefined, 16_384),
    ),
    fuzzParameters(SHARES.extractionStrings),
  );
});
