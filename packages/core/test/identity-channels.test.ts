// Pomerium's other ways of delivering identity, each opt-in and each verified as its kind:
// the assertion as Authorization: Bearer, a service-account token in the _pomerium cookie,
// x-pomerium-jwt-assertion-for into identity.onBehalfOf, and the unsigned claim headers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPomeriumAuth,
  PomeriumAuthError,
  type AuditEvent,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import {
  assertionForHeaders,
  assertionHeaders,
  bearerAssertionHeaders,
  cookieHeaders,
  createTestIssuer,
  SERVICE_ACCOUNT_SCHEMES,
  serviceAccountHeaders,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { issuerOptions, request, ROUTE_HOST } from './fixtures.js';

let issuer: TestIssuer;
let other: TestIssuer;
before(async () => {
  issuer = await createTestIssuer({ host: ROUTE_HOST });
  other = await createTestIssuer({ host: 'first-hop.example.com', keys: undefined });
});
after(async () => {
  await issuer.close();
  await other.close();
});

const base = (): PomeriumAuthOptions => issuerOptions(issuer);

/** `pass <user> @<source>`, or `<status> <reason>`. */
async function outcome(
  options: PomeriumAuthOptions,
  headers: Record<string, string>,
): Promise<string> {
  const auth = createPomeriumAuth({ ...base(), ...options });
  try {
    const identity = await auth.authenticate(request(headers));
    if (!identity) return 'anonymous';
    return `pass ${identity.user.id} @${identity.credential.source}`;
  } catch (err) {
    assert.ok(err instanceof PomeriumAuthError, `threw ${String(err)}`);
    return `${err.status} ${err.reason}`;
  }
}

describe('channels: each accepted when enabled, never read otherwise', () => {
  const alice = () => issuer.mintAssertion({ sub: 'alice' });
  const sa = () => issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  const sa2 = () => issuer.mintServiceAccountToken({ id: 'sa-2', userId: 'robot' });
  const both = { sources: ['assertion', 'service-account', 'bearer-assertion', 'cookie'] } as const;
  const rows: Array<[string, Partial<PomeriumAuthOptions>, () => Record<string, string>, string]> =
    [
      [
        'bearer-assertion: accepted when enabled',
        both,
        () => bearerAssertionHeaders(alice()),
        'pass alice @authorization-bearer-assertion',
      ],
      [
        'bearer-assertion: lower-case scheme word',
        both,
        () => ({ authorization: `bearer ${alice()}` }),
        'pass alice @authorization-bearer-assertion',
      ],
      [
        'bearer-assertion: not read unless enabled',
        {},
        () => bearerAssertionHeaders(alice()),
        '401 no_credentials',
      ],
      [
        'bearer-assertion: a service-account token in that slot is refused (verified as an assertion only)',
        both,
        () => bearerAssertionHeaders(sa()),
        '401 algorithm_not_allowed',
      ],
      [
        'bearer-assertion: an assertion for another audience is refused',
        both,
        () =>
          bearerAssertionHeaders(issuer.mintAssertion({ sub: 'alice', aud: 'other.example.com' })),
        '401 audience_mismatch',
      ],
      [
        'bearer-assertion: Bearer Pomerium- stays a service-account token',
        both,
        () => serviceAccountHeaders(sa()),
        'pass bot @authorization-bearer-pomerium',
      ],
      [
        'bearer-assertion: a malformed token is 400',
        both,
        () => ({ authorization: 'Bearer not a token' }),
        '400 malformed_credential',
      ],
      [
        'bearer-assertion: the assertion header wins over it',
        both,
        () => ({
          ...bearerAssertionHeaders(issuer.mintAssertion({ sub: 'mallory' })),
          ...assertionHeaders(alice()),
        }),
        'pass alice @assertion',
      ],
      [
        'bearer-assertion: it wins over a service-account header',
        both,
        () => ({ ...bearerAssertionHeaders(alice()), 'x-pomerium-authorization': sa() }),
        'pass alice @authorization-bearer-assertion',
      ],
      ['cookie: accepted when enabled', both, () => cookieHeaders(sa()), 'pass bot @cookie'],
      [
        'cookie: among other cookies',
        both,
        () => ({ cookie: `theme=dark; _pomerium=${sa()}; lang=en` }),
        'pass bot @cookie',
      ],
      ['cookie: not read unless enabled', {}, () => cookieHeaders(sa()), '401 no_credentials'],
      [
        'cookie: a configured name',
        { ...both, cookieName: 'svc_token' },
        () => cookieHeaders(sa(), 'svc_token'),
        'pass bot @cookie',
      ],
      [
        'cookie: the default name is not read under another name',
        { ...both, cookieName: 'svc_token' },
        () => cookieHeaders(sa()),
        '401 no_credentials',
      ],
      [
        'cookie: an assertion in the cookie is refused (verified as a service account only)',
        both,
        () => cookieHeaders(alice()),
        '401 algorithm_not_allowed',
      ],
      [
        'cookie: the same cookie twice with different values is 400',
        both,
        () => ({
          cookie: `_pomerium=${sa()}; _pomerium=${issuer.mintServiceAccountToken({ id: 'sa-2', userId: 'bot' })}`,
        }),
        '400 repeated_header',
      ],
      [
        'cookie: a malformed token is 400',
        both,
        () => cookieHeaders('not-a-token'),
        '400 malformed_credential',
      ],
      ...SERVICE_ACCOUNT_SCHEMES.flatMap(
        (
          scheme,
        ): Array<[string, Partial<PomeriumAuthOptions>, () => Record<string, string>, string]> => [
          [
            `cookie: a different token in ${scheme} and the cookie is 400`,
            both,
            () => ({ ...cookieHeaders(sa2()), ...serviceAccountHeaders(sa(), scheme) }),
            '400 ambiguous_credentials',
          ],
          [
            `cookie: the same token in ${scheme} and the cookie is that token, from the header`,
            both,
            () => {
              const token = sa();
              return { ...cookieHeaders(token), ...serviceAccountHeaders(token, scheme) };
            },
            `pass bot @${scheme}`,
          ],
        ],
      ),
      [
        'cookie: a different token in the cookie is not read unless enabled',
        {},
        () => ({ ...cookieHeaders(sa2()), ...serviceAccountHeaders(sa()) }),
        'pass bot @authorization-bearer-pomerium',
      ],
      [
        'cookie: a malformed cookie beside a header is 400, as a malformed second header is',
        both,
        () => ({
          ...cookieHeaders('garbage'),
          ...serviceAccountHeaders(sa(), 'x-pomerium-authorization'),
        }),
        '400 malformed_credential',
      ],
      [
        'cookie: an assertion wins over a header and a cookie with different tokens',
        both,
        () => ({
          ...cookieHeaders(sa2()),
          ...serviceAccountHeaders(sa()),
          ...assertionHeaders(alice()),
        }),
        'pass alice @assertion',
      ],
      [
        'cookie: an assertion wins over the cookie',
        both,
        () => ({ ...cookieHeaders(sa()), ...assertionHeaders(alice()) }),
        'pass alice @assertion',
      ],
    ];
  for (const [name, options, headers, expected] of rows) {
    test(name, async () => assert.equal(await outcome(options, headers()), expected));
  }
});

describe('assertionFor: the original user behind a chain of services', () => {
  const service = () => issuer.mintAssertion({ sub: 'svc-reports', email: 'reports@corp.example' });
  const original = (claims: Record<string, unknown> = {}) =>
    // Minted for the first route of the chain: its issuer and audience are that route's.
    issuer.mintAssertion({
      sub: 'alice',
      email: 'alice@corp.example',
      aud: 'first-hop.example.com',
      iss: 'first-hop.example.com',
      ...claims,
    });

  test('is verified into identity.onBehalfOf, never changing user or initiator, and audited', async () => {
    const events: AuditEvent[] = [];
    const auth = createPomeriumAuth({
      ...base(),
      assertionFor: true,
      audit: (e) => events.push(e),
    });
    const identity = await auth.authenticate(
      request({ ...assertionHeaders(service()), ...assertionForHeaders(original()) }),
    );
    assert.equal(identity?.user.id, 'svc-reports');
    assert.equal(identity?.initiator.id, 'svc-reports');
    assert.equal(identity?.onBehalfOf?.id, 'alice');
    assert.equal(identity?.onBehalfOf?.email, 'alice@corp.example');
    assert.deepEqual(events[0]!.on_behalf_of, { id: 'alice', email: 'alice@corp.example' });
  });

  test('is not read unless enabled', async () => {
    const auth = createPomeriumAuth({ ...base() });
    const identity = await auth.authenticate(
      request({ ...assertionHeaders(service()), ...assertionForHeaders('garbage') }),
    );
    assert.equal(identity?.onBehalfOf, undefined);
  });

  const refused: Array<[string, () => string, string]> = [
    [
      'signed by a key this service does not hold',
      () => other.mintAssertion({ sub: 'alice' }),
      '401 unknown_key',
    ],
    ['expired', () => original({ exp: Math.floor(Date.now() / 1000) - 3600 }), '401 token_expired'],
    [
      'signed with the shared secret',
      () => issuer.mintServiceAccountToken({ id: 'sa', userId: 'alice' }),
      '401 algorithm_not_allowed',
    ],
    ['not a token', () => 'nope', '400 malformed_credential'],
  ];
  for (const [what, token, expected] of refused) {
    test(`one ${what} is refused like a bad assertion`, async () => {
      assert.equal(
        await outcome(
          { assertionFor: true },
          { ...assertionHeaders(service()), ...assertionForHeaders(token()) },
        ),
        expected,
      );
    });
  }
});

describe('claimHeaders', () => {
  const alice = () =>
    issuer.mintAssertion({
      sub: 'alice',
      email: 'alice@corp.example',
      groups: ['staff', 'ops'],
      department: 'sales',
      level: 3,
      ids: [1_700_000_000, 2],
    });
  const run = async (
    mode: PomeriumAuthOptions['claimHeaders'],
    headers: Record<string, string>,
  ) => {
    const auth = createPomeriumAuth({ ...base(), claimHeaders: mode });
    const req = request(headers);
    try {
      await auth.authenticate(req);
    } catch (err) {
      assert.ok(err instanceof PomeriumAuthError);
      return { outcome: `${err.status} ${err.reason}`, left: req.headers };
    }
    return { outcome: 'pass', left: req.headers };
  };
  const claimHeaders = (left: Record<string, unknown>) =>
    Object.keys(left)
      .filter((h) => h.startsWith('x-pomerium-claim-') || h === 'x-email')
      .sort();

  const rows: Array<
    [string, PomeriumAuthOptions['claimHeaders'], () => Record<string, string>, string, string[]]
  > = [
    [
      'verify: matching headers pass and stay',
      'verify',
      () => ({
        ...assertionHeaders(alice()),
        'x-pomerium-claim-email': 'alice@corp.example',
        'x-pomerium-claim-groups': 'staff,ops',
      }),
      'pass',
      ['x-pomerium-claim-email', 'x-pomerium-claim-groups'],
    ],
    [
      'verify: a number claim as Pomerium writes it',
      'verify',
      () => ({ ...assertionHeaders(alice()), 'x-pomerium-claim-level': '3' }),
      'pass',
      ['x-pomerium-claim-level'],
    ],
    [
      'verify: numbers in a list as Go prints integers',
      'verify',
      () => ({ ...assertionHeaders(alice()), 'x-pomerium-claim-ids': '1700000000,2' }),
      'pass',
      ['x-pomerium-claim-ids'],
    ],
    [
      'verify: numbers in a list as Go prints JSON’s float64 (an identity provider’s claim)',
      'verify',
      () => ({ ...assertionHeaders(alice()), 'x-pomerium-claim-ids': '1.7e+09,2' }),
      'pass',
      ['x-pomerium-claim-ids'],
    ],
    [
      'verify: numbers in a list written another way are 400',
      'verify',
      () => ({ ...assertionHeaders(alice()), 'x-pomerium-claim-ids': '1.7e9,2' }),
      '400 claim_header_mismatch',
      [],
    ],
    [
      'verify: an empty header for a claim the assertion lacks',
      'verify',
      () => ({ ...assertionHeaders(alice()), 'x-pomerium-claim-nickname': '' }),
      'pass',
      ['x-pomerium-claim-nickname'],
    ],
    [
      'verify: a forged email is 400',
      'verify',
      () => ({ ...assertionHeaders(alice()), 'x-pomerium-claim-email': 'admin@corp.example' }),
      '400 claim_header_mismatch',
      [],
    ],
    [
      'verify: groups in another order are 400',
      'verify',
      () => ({ ...assertionHeaders(alice()), 'x-pomerium-claim-groups': 'ops,staff' }),
      '400 claim_header_mismatch',
      [],
    ],
    [
      'verify: a value for a claim the assertion lacks is 400',
      'verify',
      () => ({ ...assertionHeaders(alice()), 'x-pomerium-claim-role': 'admin' }),
      '400 claim_header_mismatch',
      [],
    ],
    [
      'verify: custom names map header to claim',
      { mode: 'verify', names: { 'X-Email': 'email' } },
      () => ({ ...assertionHeaders(alice()), 'x-email': 'alice@corp.example' }),
      'pass',
      ['x-email'],
    ],
    [
      'verify: a forged custom header is 400',
      { mode: 'verify', names: { 'x-email': 'email' } },
      () => ({ ...assertionHeaders(alice()), 'x-email': 'mallory@corp.example' }),
      '400 claim_header_mismatch',
      [],
    ],
    [
      'verify: without an assertion they are removed',
      'verify',
      () => ({
        ...serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: 'bot' })),
        'x-pomerium-claim-email': 'admin@corp.example',
      }),
      'pass',
      [],
    ],
    [
      'strip: always removed, even when they match',
      'strip',
      () => ({ ...assertionHeaders(alice()), 'x-pomerium-claim-email': 'alice@corp.example' }),
      'pass',
      [],
    ],
    [
      'strip: custom names removed too',
      { mode: 'strip', names: { 'x-email': 'email' } },
      () => ({ ...assertionHeaders(alice()), 'x-email': 'anything' }),
      'pass',
      [],
    ],
    [
      'ignore (default): left alone, never read',
      undefined,
      () => ({ ...assertionHeaders(alice()), 'x-pomerium-claim-email': 'admin@corp.example' }),
      'pass',
      ['x-pomerium-claim-email'],
    ],
  ];
  for (const [name, mode, headers, expected, left] of rows) {
    test(name, async () => {
      const result = await run(mode, headers());
      assert.equal(result.outcome, expected);
      if (expected === 'pass') assert.deepEqual(claimHeaders(result.left), left);
    });
  }
});
