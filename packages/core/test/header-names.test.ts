// Header names are case-insensitive (SPEC 3), in a plain request object as in Node's, which
// lower-cases them: every header core reads (credentials, impersonation, x-request-id, claim
// headers, cookies) is found and every header it removes is removed, whatever its case; names
// that differ only in case are one header, repeated.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPomeriumAuth,
  extractCredentials,
  PomeriumAuthError,
  toAuthRequest,
  type AuditEvent,
  type AuthRequest,
  type HeaderValue,
  type ImpersonationOptions,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import { createTestIssuer, type TestIssuer } from '@pomerium-auth/testing';
import { issuerOptions, request, ROUTE_HOST } from './fixtures.js';

let issuer: TestIssuer;
before(async () => {
  issuer = await createTestIssuer({ host: ROUTE_HOST });
});
after(async () => {
  await issuer.close();
});

const IMPERSONATION_HEADERS = ['impersonate-user', 'impersonate-group', 'impersonate-reason'];

const impersonation: ImpersonationOptions = {
  grants: [{ initiators: ['bot'], targets: ['user_*'], groups: ['support'] }],
};
const base = (): PomeriumAuthOptions => ({
  ...issuerOptions(issuer),
  sources: ['assertion', 'service-account', 'cookie'],
  impersonation,
});

/** `pass <user> [by <initiator>] @<source>`, `anonymous`, or `<status> <reason>`. */
async function outcome(options: Partial<PomeriumAuthOptions>, req: AuthRequest): Promise<string> {
  const auth = createPomeriumAuth({ ...base(), ...options });
  try {
    const identity = await auth.authenticate(req);
    if (!identity) return 'anonymous';
    const by = identity.impersonating ? ` by ${identity.initiator.id}` : '';
    return `pass ${identity.user.id}${by} @${identity.credential.source}`;
  } catch (err) {
    assert.ok(err instanceof PomeriumAuthError, `threw ${String(err)}`);
    return `${err.status} ${err.reason}`;
  }
}

describe('header names in any case', () => {
  const sa = () => issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  const other = () => issuer.mintServiceAccountToken({ id: 'sa-2', userId: 'robot' });
  const alice = () => issuer.mintAssertion({ sub: 'alice' });
  const mallory = () => issuer.mintAssertion({ sub: 'mallory' });
  type Row = [string, Partial<PomeriumAuthOptions>, () => Record<string, HeaderValue>, string];
  const rows: Row[] = [
    // Each credential header, in several casings.
    ...['Authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn'].map((name): Row => [
      `${name}: Pomerium <jwt>`,
      {},
      () => ({ [name]: `Pomerium ${sa()}` }),
      'pass bot @authorization-pomerium',
    ]),
    [
      'Authorization: Bearer Pomerium-<jwt>',
      {},
      () => ({ Authorization: `Bearer Pomerium-${sa()}` }),
      'pass bot @authorization-bearer-pomerium',
    ],
    ...['X-Pomerium-Authorization', 'X-POMERIUM-AUTHORIZATION'].map((name): Row => [
      `${name}: <jwt>`,
      {},
      () => ({ [name]: sa() }),
      'pass bot @x-pomerium-authorization',
    ]),
    ...['X-Pomerium-Jwt-Assertion', 'X-POMERIUM-JWT-ASSERTION'].map((name): Row => [
      `${name}: <assertion>`,
      {},
      () => ({ [name]: alice() }),
      'pass alice @assertion',
    ]),
    [
      'Authorization: Bearer <assertion> (bearer-assertion)',
      { sources: ['bearer-assertion'] },
      () => ({ Authorization: `Bearer ${alice()}` }),
      'pass alice @authorization-bearer-assertion',
    ],
    ['Cookie: _pomerium=<jwt>', {}, () => ({ Cookie: `_pomerium=${sa()}` }), 'pass bot @cookie'],
    [
      'the scheme word still matches exactly under a capitalised name',
      {},
      () => ({ Authorization: `pomerium ${sa()}` }),
      '401 no_credentials',
    ],
    // Names that differ only in case are one header, sent twice.
    [
      'Authorization and authorization with the same value are one credential',
      {},
      () => {
        const token = sa();
        return { Authorization: `Pomerium ${token}`, authorization: `Pomerium ${token}` };
      },
      'pass bot @authorization-pomerium',
    ],
    [
      'Authorization and authorization with different values',
      {},
      () => ({ authorization: `Pomerium ${sa()}`, Authorization: `Pomerium ${other()}` }),
      '400 repeated_header',
    ],
    [
      'X-Pomerium-Authorization and x-pomerium-authorization with different values',
      {},
      () => ({ 'X-Pomerium-Authorization': sa(), 'x-pomerium-authorization': other() }),
      '400 repeated_header',
    ],
    [
      'two casings of the assertion header with different values',
      {},
      () => ({ 'X-Pomerium-Jwt-Assertion': alice(), 'X-POMERIUM-JWT-ASSERTION': mallory() }),
      '400 repeated_header',
    ],
    [
      'Cookie and cookie with different _pomerium tokens',
      {},
      () => ({ Cookie: `_pomerium=${sa()}`, cookie: `_pomerium=${other()}` }),
      '400 repeated_header',
    ],
    [
      'X-Pomerium-Authorization and Authorization with different tokens',
      {},
      () => ({ 'X-Pomerium-Authorization': sa(), Authorization: `Pomerium ${other()}` }),
      '400 ambiguous_credentials',
    ],
    // Impersonation headers, read in any case and removed in any case.
    [
      'Impersonate-User',
      {},
      () => ({ 'x-pomerium-authorization': sa(), 'Impersonate-User': 'user_1' }),
      'pass user_1 by bot @x-pomerium-authorization',
    ],
    [
      'IMPERSONATE-USER with Impersonate-Group and impersonate-REASON',
      { impersonation: { ...impersonation, requireReason: true } },
      () => ({
        'x-pomerium-authorization': sa(),
        'IMPERSONATE-USER': 'user_1',
        'Impersonate-Group': 'support',
        'impersonate-REASON': 'ticket 7',
      }),
      'pass user_1 by bot @x-pomerium-authorization',
    ],
    [
      'a required reason is found under Impersonate-Reason only when sent',
      { impersonation: { ...impersonation, requireReason: true } },
      () => ({ 'x-pomerium-authorization': sa(), 'Impersonate-User': 'user_1' }),
      '400 reason_required',
    ],
    [
      'Impersonate-User and impersonate-user with different values',
      {},
      () => ({
        'x-pomerium-authorization': sa(),
        'Impersonate-User': 'user_1',
        'impersonate-user': 'user_2',
      }),
      '400 repeated_header',
    ],
    [
      'a configured header (sg_impersonate_as) sent as SG_Impersonate_As',
      { impersonation: { ...impersonation, header: 'sg_impersonate_as' } },
      () => ({ 'x-pomerium-authorization': sa(), SG_Impersonate_As: 'user_1' }),
      'pass user_1 by bot @x-pomerium-authorization',
    ],
    [
      'Impersonate-User without a credential, where authentication is optional',
      { required: false },
      () => ({ 'Impersonate-User': 'user_1' }),
      '401 no_credentials',
    ],
    [
      'a frozen headers object is read through a lower-cased copy',
      {},
      () => Object.freeze({ Authorization: `Pomerium ${sa()}` }),
      'pass bot @authorization-pomerium',
    ],
  ];
  for (const [name, options, headers, expected] of rows) {
    test(name, async () => {
      const sent = headers();
      const req: AuthRequest = { method: 'GET', url: '/', headers: sent };
      assert.equal(await outcome(options, req), expected);
      // Once decided, they are gone; a request refused while its headers were read (a repeat)
      // was never decided on them, and goes no further.
      if (expected === '400 repeated_header') return;
      const left = Object.keys(sent).filter((h) =>
        [...IMPERSONATION_HEADERS, 'sg_impersonate_as'].includes(h.toLowerCase()),
      );
      assert.deepEqual(left, [], 'impersonation headers are removed from the caller’s object');
    });
  }

  test('the impersonation headers are removed from rawHeaders too, whatever their case', async () => {
    const req: AuthRequest = {
      method: 'GET',
      url: '/',
      headers: { 'X-Pomerium-Authorization': sa(), 'Impersonate-User': 'user_1', Accept: '*/*' },
      rawHeaders: ['X-Pomerium-Authorization', sa(), 'Impersonate-User', 'user_1'],
    };
    req.rawHeaders!.push('IMPERSONATE-GROUP', 'support', 'Accept', '*/*');
    req.headers['IMPERSONATE-GROUP'] = 'support';
    assert.equal(await outcome({}, req), 'pass user_1 by bot @x-pomerium-authorization');
    assert.deepEqual(
      req.rawHeaders!.filter((_, i) => i % 2 === 0),
      ['X-Pomerium-Authorization', 'Accept'],
    );
    assert.deepEqual(Object.keys(req.headers).sort(), ['accept', 'x-pomerium-authorization']);
  });

  const claimRows: Array<[string, PomeriumAuthOptions['claimHeaders'], string, string]> = [
    [
      'strip removes X-Pomerium-Claim-Email',
      'strip',
      'alice@corp.example',
      'pass alice @assertion',
    ],
    [
      'verify refuses an X-Pomerium-Claim-Email the assertion did not sign',
      'verify',
      'mallory@corp.example',
      '400 claim_header_mismatch',
    ],
  ];
  for (const [name, claimHeaders, email, expected] of claimRows) {
    test(`claim headers: ${name}`, async () => {
      const signed = issuer.mintAssertion({ sub: 'alice', email: 'alice@corp.example' });
      const headers: Record<string, HeaderValue> = {
        'X-Pomerium-Jwt-Assertion': signed,
        'X-Pomerium-Claim-Email': email,
      };
      assert.equal(await outcome({ claimHeaders }, { method: 'GET', url: '/', headers }), expected);
      if (claimHeaders === 'strip') assert.equal(Object.keys(headers).length, 1);
    });
  }

  test('X-Request-Id is the request id at every entry point that reads it', async () => {
    const events: AuditEvent[] = [];
    const auth = createPomeriumAuth({ ...base(), required: false, audit: (e) => events.push(e) });
    const req = () => request({ 'X-Request-Id': 'req-7' });
    const identity = await auth.authenticate(
      request({ 'X-Request-Id': 'req-7', 'X-Pomerium-Authorization': sa() }),
    );
    assert.equal(identity?.requestId, 'req-7');
    assert.equal(auth.decide(req()), undefined);
    assert.throws(() => auth.requireIdentity(undefined, req()), PomeriumAuthError);
    assert.throws(
      () => auth.authorizeRoute(undefined, req(), { authentication: 'required' }),
      PomeriumAuthError,
    );
    assert.deepEqual(
      events.map((e) => [e.event, e.request.request_id]),
      [
        ['authenticated', 'req-7'],
        ['authentication_failed', 'req-7'],
        ['authentication_failed', 'req-7'],
      ],
    );
  });

  test('extractCredentials finds credential headers in any case too', () => {
    const token = sa();
    assert.deepEqual(extractCredentials({ headers: { 'X-Pomerium-Authorization': token } }), {
      serviceAccount: { source: 'x-pomerium-authorization', token },
    });
  });
});

describe('the cost of case-insensitive names', () => {
  /** Headers that count how often their names are listed (a scan of the object). */
  function countingHeaders(headers: Record<string, HeaderValue>) {
    const counts = { scans: 0 };
    const proxy = new Proxy(headers, {
      ownKeys(target) {
        counts.scans++;
        return Reflect.ownKeys(target);
      },
    });
    return { proxy, counts };
  }

  test('a request from toAuthRequest (Node’s lower-case names) is never scanned', async () => {
    const { proxy, counts } = countingHeaders({
      'x-pomerium-authorization': issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' }),
    });
    assert.equal(
      await outcome({}, toAuthRequest({ headers: proxy })),
      'pass bot @x-pomerium-authorization',
    );
    assert.equal(counts.scans, 0);
  });

  test('a plain request’s names are listed once per call, then read by name', async () => {
    const { proxy, counts } = countingHeaders({
      'X-Pomerium-Authorization': issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' }),
    });
    assert.equal(
      await outcome({}, { method: 'GET', url: '/', headers: proxy }),
      'pass bot @x-pomerium-authorization',
    );
    assert.equal(counts.scans, 1);
  });
});
