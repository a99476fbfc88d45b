// Property tests over verification: authenticate with arbitrary header maps, arbitrary
// JWS-shaped tokens, and mutations of genuine tokens (character and bit flips in each segment,
// segment swaps, re-encoded JSON). Nothing but PomeriumAuthError is ever thrown, every run is
// bounded in time, and nothing forged passes: only the genuine tokens authenticate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPomeriumAuth, PomeriumAuthError, type AuthRequest } from '@pomerium-auth/core';
import { createTestIssuer } from '@pomerium-auth/testing';
import {
  carrier,
  carry,
  headerMap,
  jwsShaped,
  mutation,
  rawHeaders,
  sameBytes,
} from './lib/arbitraries.js';
import { fuzzParameters, SHARES } from './lib/fuzz-runs.js';

const HOST = 'app.example.com';
const es = await createTestIssuer({ host: HOST });
const rs = await createTestIssuer({ host: HOST, alg: 'RS256', sharedSecret: es.sharedSecret });
const auth = createPomeriumAuth({
  env: false,
  sharedSecret: es.sharedSecret,
  publicKeys: [es.keys[0]!.publicJwk, rs.keys[0]!.publicJwk],
  issuer: HOST,
  audience: HOST,
  impersonation: { grants: [{ initiators: ['admin'], targets: ['user_*'] }], protect: ['root'] },
  audit: false,
  logger: { warn: () => undefined },
});

/** Genuine tokens and the header scheme each belongs in. */
const genuine: Array<{ token: string; scheme: 'assertion' | 'service-account' }> = [
  {
    token: es.mintAssertion({ sub: 'alice', groups: ['staff'] }, { lifetime: 3600 }),
    scheme: 'assertion',
  },
  { token: rs.mintAssertion({ sub: 'alice' }, { lifetime: 3600 }), scheme: 'assertion' },
  { token: es.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' }), scheme: 'service-account' },
  {
    token: es.mintLegacyServiceAccountToken({ sub: 'cli', groups: ['ops'] }),
    scheme: 'service-account',
  },
  {
    token: es.mintLegacyServiceAccountToken({ sub: 'admin', impersonate_email: 'user_1' }),
    scheme: 'service-account',
  },
];
const tokens = genuine.map((g) => g.token);

async function mustRefuse(request: AuthRequest): Promise<void> {
  let identity: unknown;
  try {
    identity = await auth.authenticate(request);
  } catch (err) {
    assert.ok(err instanceof PomeriumAuthError, `threw ${String(err)}`);
    assert.ok([400, 401, 403, 503].includes(err.status));
    // A fault inside core is refused too (never a pass), but it is a bug, never an answer to input.
    assert.notEqual(err.reason, 'internal_error', `an internal fault: ${err.detail ?? ''}`);
    return;
  }
  assert.fail(`forged request passed as ${JSON.stringify(identity)}`);
}

test('only the genuine tokens pass, each in its own kind of header', async () => {
  for (const g of genuine) {
    const headers = carry(
      g.scheme === 'assertion' ? 'assertion' : 'authorization-bearer-pomerium',
      g.token,
    );
    assert.ok(await auth.authenticate({ method: 'GET', url: '/', headers }));
  }
});

test('arbitrary header maps never authenticate and throw only PomeriumAuthError', async () => {
  await fc.assert(
    fc.asyncProperty(
      headerMap,
      rawHeaders,
      fc.constantFrom('GET', 'POST', 'get', ''),
      async (headers, raw, method) => {
        await mustRefuse({ method, url: '/', headers, ...(raw ? { rawHeaders: raw } : {}) });
      },
    ),
    fuzzParameters(SHARES.verifyHeaderMaps),
  );
});

test('arbitrary JWS-shaped tokens in every scheme never authenticate', async () => {
  await fc.assert(
    fc.asyncProperty(
      jwsShaped,
      carrier,
      fc.option(fc.constantFrom('user_1', 'root', 'admin'), { nil: undefined }),
      async (token, scheme, target) => {
        await mustRefuse({
          method: 'GET',
          url: '/',
          headers: { ...carry(scheme, token), ...(target ? { 'impersonate-user': target } : {}) },
        });
      },
    ),
    fuzzParameters(SHARES.verifyJwsShaped),
  );
});

let sameBytesRefused = 0;
test('mutated genuine tokens never authenticate (bit flips per segment, swaps, re-encoded JSON)', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat(genuine.length - 1),
      mutation,
      fc.constantFrom(
        'x-pomerium-authorization',
        'authorization-pomerium',
        'authorization-bearer-pomerium',
      ),
      async (which, m, saScheme) => {
        const g = genuine[which]!;
        const mutated = m.apply(g.token, tokens);
        fc.pre(mutated !== g.token && !tokens.includes(mutated));
        const headers = carry(g.scheme === 'assertion' ? 'assertion' : saScheme, mutated);
        // Even a mutation that decodes to the genuine bytes (other unused bits in the last
        // base64url character) is refused: one token has exactly one spelling.
        if (sameBytes(g.token, mutated)) sameBytesRefused++;
        await mustRefuse({ method: 'GET', url: '/', headers });
      },
    ),
    fuzzParameters(SHARES.verifyMutated),
  );
  t.diagnostic(
    `mutations equal to the genuine bytes (non-canonical base64url), refused: ${sameBytesRefused}`,
  );
});

test('strict: a token whose signature is re-encoded with other unused bits is refused', async () => {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (const g of genuine) {
    const last = g.token.at(-1)!;
    const variant = g.token.slice(0, -1) + ALPHABET[ALPHABET.indexOf(last) ^ 1];
    assert.ok(sameBytes(g.token, variant));
    await mustRefuse({
      method: 'GET',
      url: '/',
      headers: carry(g.scheme === 'assertion' ? 'assertion' : 'authorization-pomerium', variant),
    });
  }
});
