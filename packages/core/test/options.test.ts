import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPomeriumAuth,
  PomeriumAuthConfigError,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import { serviceAccountHeaders, createTestIssuer } from '@pomerium-auth/testing';
import { request } from './fixtures.js';

const SECRET = Buffer.alloc(32, 1).toString('base64');

// Bad configuration fails at construction, with a message naming the option.
const rows: Array<[string, PomeriumAuthOptions, string]> = [
  ['nothing to verify with', {}, 'sharedSecret'],
  ['a shared secret that is not base64', { sharedSecret: 'not base64!' }, 'sharedSecret'],
  ['a shared secret too short to be Pomerium’s', { sharedSecret: 'YWJj' }, 'sharedSecret'],
  [
    'an unknown encoding',
    { sharedSecret: SECRET, sharedSecretEncoding: 'hex' as 'base64' },
    'sharedSecretEncoding',
  ],
  ['a JWKS URL that is not a URL', { jwksUrl: 'not a url' }, 'jwksUrl'],
  [
    'a JWKS URL over plain http to another host',
    { jwksUrl: 'http://app.example.com/.well-known/pomerium/jwks.json' },
    'jwksUrl',
  ],
  ['an empty list of JWKS URLs', { jwksUrl: [] }, 'jwksUrl'],
  [
    'a second JWKS URL over plain http to another host',
    {
      jwksUrl: [
        'https://app.example.com/.well-known/pomerium/jwks.json',
        'http://old.example.com/.well-known/pomerium/jwks.json',
      ],
    },
    'jwksUrl[1]',
  ],
  [
    'a JWKS URL list holding something else than a string',
    { jwksUrl: ['https://app.example.com/.well-known/pomerium/jwks.json', 42 as never] },
    'jwksUrl[1]',
  ],
  // A timer cannot hold more than 2^31 - 1 ms: a longer one fires at once, timing out every call.
  [
    'a lookup timeout longer than a timer can hold',
    { sharedSecret: SECRET, lookupTimeout: 2 ** 31 },
    'lookupTimeout',
  ],
  [
    'a key-set timeout longer than a timer can hold',
    {
      jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json',
      jwks: { timeout: 2 ** 31 },
    },
    'jwks.timeout',
  ],
  [
    'a key-set timeout of zero (every fetch abandoned at once)',
    { jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json', jwks: { timeout: 0 } },
    'jwks.timeout',
  ],
  [
    'key-set tuning that is not an object',
    { jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json', jwks: 5 as never },
    'jwks',
  ],
  [
    'a zero key-set size bound',
    { jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json', jwks: { maxBytes: 0 } },
    'jwks.maxBytes',
  ],
  [
    'a key-set size bound that is not a whole number',
    { jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json', jwks: { maxBytes: 1.5 } },
    'jwks.maxBytes',
  ],
  [
    'a public key that is not a key',
    { publicKeys: ['-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----'] },
    'publicKeys[0]',
  ],
  [
    'a JWK on another curve',
    { publicKeys: [{ kty: 'EC', crv: 'P-384', x: 'AAAA', y: 'AAAA' }] },
    'publicKeys[0]',
  ],
  [
    'deriveAssertionKey without a shared secret',
    { deriveAssertionKey: true, publicKeys: [] },
    'deriveAssertionKey',
  ],
  ['a negative clock tolerance', { sharedSecret: SECRET, clockTolerance: -1 }, 'clockTolerance'],
  ['a zero size bound', { sharedSecret: SECRET, maxTokenBytes: 0 }, 'maxTokenBytes'],
  ['an unknown source', { sharedSecret: SECRET, sources: ['session' as 'assertion'] }, 'sources'],
  [
    'a cookie source without a shared secret',
    { publicKeys: [], jwksUrl: 'https://k.example/jwks.json', sources: ['cookie'] },
    'sources',
  ],
  [
    'a bearer-assertion source without assertion keys',
    { sharedSecret: SECRET, sources: ['bearer-assertion'] },
    'sources',
  ],
  [
    'cookieName without the cookie source',
    { sharedSecret: SECRET, cookieName: 'sa' },
    'cookieName',
  ],
  [
    'a cookieName that is no cookie name',
    { sharedSecret: SECRET, sources: ['cookie'], cookieName: 'a b' },
    'cookieName',
  ],
  [
    'assertionFor without assertion keys',
    { sharedSecret: SECRET, assertionFor: true },
    'assertionFor',
  ],
  [
    'claimHeaders of an unknown mode',
    { sharedSecret: SECRET, claimHeaders: 'trust' as 'verify' },
    'claimHeaders',
  ],
  [
    'claimHeaders names that are not header names',
    { sharedSecret: SECRET, claimHeaders: { mode: 'verify', names: { 'x email': 'email' } } },
    'claimHeaders.names.x email',
  ],
  [
    'claimHeaders with a misspelt names',
    {
      sharedSecret: SECRET,
      claimHeaders: { mode: 'verify', name: { 'x-email': 'email' } } as never,
    },
    'claimHeaders.name',
  ],
  [
    'a misspelt key-set option',
    {
      jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json',
      jwks: { timout: 1 } as never,
    },
    'jwks.timout',
  ],
  [
    'a policy with an unknown criterion',
    { sharedSecret: SECRET, policy: { allow: { or: [{ emial: 'a@b.c' }] } } as never },
    'policy.allow.or[0].emial',
  ],
  [
    'assertions as a source without keys',
    { sharedSecret: SECRET, sources: ['assertion'] },
    'sources',
  ],
  ['an empty issuer', { sharedSecret: SECRET, issuer: '' }, 'issuer'],
  [
    'a grant without initiators',
    { sharedSecret: SECRET, impersonation: { grants: [{ initiators: [], targets: ['*'] }] } },
    'impersonation.grants[0].initiators',
  ],
  [
    'a grant with a broken regex target',
    {
      sharedSecret: SECRET,
      impersonation: { grants: [{ initiators: ['a'], targets: ['user_1', '/(/'] }] },
    },
    'impersonation.grants[0].targets[1]',
  ],
  [
    // Balanced only inside the anchoring group: it would end it and match any name.
    'a regex target whose ) would close the anchoring around it',
    {
      sharedSecret: SECRET,
      impersonation: { grants: [{ initiators: ['a'], targets: ['/x)|(.*/'] }] },
    },
    'impersonation.grants[0].targets[0]',
  ],
  [
    'a regex in protect whose ) would close the anchoring around it',
    {
      sharedSecret: SECRET,
      impersonation: { grants: [{ initiators: ['a'], targets: ['*'] }], protect: ['/x)|(.*/'] },
    },
    'impersonation.protect[0]',
  ],
  [
    'an impersonation header that is not a header name',
    { sharedSecret: SECRET, impersonation: { header: 'bad header' } },
    'impersonation.header',
  ],
  [
    'requireReason without a reason header',
    { sharedSecret: SECRET, impersonation: { requireReason: true, reasonHeader: false } },
    'impersonation.requireReason',
  ],
  // A boolean written as text ('false') or a misspelt key would silently do the opposite.
  [
    'requireReason that is not a boolean',
    { sharedSecret: SECRET, impersonation: { requireReason: 'yes' as never } },
    'impersonation.requireReason',
  ],
  [
    'fromTokenClaims that is not a boolean',
    { sharedSecret: SECRET, impersonation: { fromTokenClaims: 'false' as never } },
    'impersonation.fromTokenClaims',
  ],
  [
    'fromActClaim that is not a boolean',
    { sharedSecret: SECRET, impersonation: { fromActClaim: 0 as never } },
    'impersonation.fromActClaim',
  ],
  [
    'a misspelt impersonation option',
    { sharedSecret: SECRET, impersonation: { requireReasons: true } as never },
    'impersonation.requireReasons',
  ],
  [
    'impersonation as an array',
    { sharedSecret: SECRET, impersonation: [] as never },
    'impersonation',
  ],
  [
    'a grant whose readOnly is not a boolean',
    {
      sharedSecret: SECRET,
      impersonation: { grants: [{ initiators: ['a'], targets: ['*'], readOnly: 'true' as never }] },
    },
    'impersonation.grants[0].readOnly',
  ],
  [
    'a grant with a misspelt field',
    {
      sharedSecret: SECRET,
      impersonation: { grants: [{ initiators: ['a'], targets: ['*'], readonly: true } as never] },
    },
    'impersonation.grants[0].readonly',
  ],
  ['a cache of null', { sharedSecret: SECRET, cache: null as never }, 'cache'],
  ['a cache that is an array', { sharedSecret: SECRET, cache: [] as never }, 'cache'],
  ['a misspelt cache option', { sharedSecret: SECRET, cache: { size: 10 } as never }, 'cache.size'],
  [
    'an audit sink that is neither a function nor a logger',
    { sharedSecret: SECRET, audit: { info: () => undefined } as never },
    'audit',
  ],
  ['a cache size of zero', { sharedSecret: SECRET, cache: { max: 0 } }, 'cache.max'],
  // req.pomerium is the identity; __proto__ would replace the request's prototype.
  ['userProperty pomerium', { sharedSecret: SECRET, userProperty: 'pomerium' }, 'userProperty'],
  ['userProperty __proto__', { sharedSecret: SECRET, userProperty: '__proto__' }, 'userProperty'],
  [
    'userProperty constructor',
    { sharedSecret: SECRET, userProperty: 'constructor' },
    'userProperty',
  ],
  ['an unknown onError', { sharedSecret: SECRET, onError: 'throw' as 'next' }, 'onError'],
  [
    'an unknown place to verify assertions',
    { publicKeys: [], sharedSecret: SECRET, assertionVerification: 'worker' as 'thread-pool' },
    'assertionVerification',
  ],
  ['a misspelt option', { sharedSecret: SECRET, audiance: 'x' } as PomeriumAuthOptions, 'audiance'],
  [
    'a service-account lookup that is neither a function nor a records source',
    { sharedSecret: SECRET, serviceAccounts: {} as never },
    'serviceAccounts',
  ],
];

describe('configuration', () => {
  for (const [description, options, option] of rows) {
    test(`refuses ${description} at construction, naming ${option}`, () => {
      assert.throws(
        () => createPomeriumAuth({ env: false, ...options }),
        (err: unknown) => {
          assert.ok(err instanceof PomeriumAuthConfigError);
          assert.equal(err.option, option);
          assert.match(err.message, new RegExp(option.replace(/[[\].]/g, '\\$&')));
          return true;
        },
      );
    });
  }

  test('reads POMERIUM_SHARED_SECRET, POMERIUM_JWKS_URL, POMERIUM_ISSUER and POMERIUM_AUDIENCE', async () => {
    const issuer = await createTestIssuer();
    const auth = createPomeriumAuth({
      env: {
        POMERIUM_SHARED_SECRET: issuer.sharedSecret,
        POMERIUM_AUDIENCE: 'a.example.com, b.example.com',
      },
    });
    const token = issuer.mintLegacyServiceAccountToken({ aud: ['b.example.com'] });
    assert.ok(await auth.authenticate(request(serviceAccountHeaders(token))));
    await issuer.close();
  });

  test('names the environment variable when its value is bad', () => {
    assert.throws(
      () =>
        createPomeriumAuth({
          env: {
            POMERIUM_JWKS_URL: 'http://evil.example.com/jwks.json',
            POMERIUM_SHARED_SECRET: SECRET,
          },
        }),
      /jwksUrl \(POMERIUM_JWKS_URL\)/,
    );
  });

  test('names the position of a bad URL among several in POMERIUM_JWKS_URL', () => {
    assert.throws(
      () =>
        createPomeriumAuth({
          env: {
            POMERIUM_JWKS_URL:
              'https://app.example.com/.well-known/pomerium/jwks.json, http://evil.example.com/jwks.json',
          },
        }),
      (err: unknown) =>
        err instanceof PomeriumAuthConfigError &&
        err.option === 'jwksUrl[1] (POMERIUM_JWKS_URL)' &&
        /must be https/.test(err.message),
    );
  });

  test('lets options given in code win over the environment', () => {
    assert.doesNotThrow(() =>
      createPomeriumAuth({
        env: { POMERIUM_JWKS_URL: 'nonsense' },
        jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json',
        audience: 'app.example.com',
      }),
    );
  });

  test('warns once at start-up when impersonation has grants but no directory', () => {
    const warnings: string[] = [];
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: SECRET,
      logger: { warn: (m) => warnings.push(m) },
      impersonation: { grants: [{ initiators: ['a'], targets: ['b'] }] },
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /no directory/);
    assert.deepEqual(auth.warnings.length, 1);
  });
});
