import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CredentialsRequiredError,
  ImpersonationDeniedError,
  InvalidRequestError,
  InvalidTokenError,
  PomeriumAuthError,
  TemporarilyUnavailableError,
  IMPERSONATION_DENIED_DESCRIPTION,
} from '@pomerium-auth/core';

// SPEC 8: status, code, body and headers of each kind of refusal.
const rows: Array<[PomeriumAuthError, number, string, Record<string, RegExp>]> = [
  [
    new InvalidRequestError('ambiguous_credentials'),
    400,
    'invalid_request',
    {
      'WWW-Authenticate':
        /^Bearer realm="pomerium", error="invalid_request", error_description="[^"]+"$/,
    },
  ],
  [
    new CredentialsRequiredError(),
    401,
    'credentials_required',
    {
      'WWW-Authenticate':
        /^Bearer realm="pomerium", error="credentials_required", error_description="Authentication is required"$/,
    },
  ],
  [
    new InvalidTokenError('bad_signature', 'HMAC does not verify'),
    401,
    'invalid_token',
    {
      'WWW-Authenticate':
        /^Bearer realm="pomerium", error="invalid_token", error_description="The token is invalid"$/,
    },
  ],
  [
    new InvalidTokenError('token_expired'),
    401,
    'invalid_token',
    { 'WWW-Authenticate': /error_description="The token has expired"/ },
  ],
  [
    new ImpersonationDeniedError('protected_target', 'root is protected'),
    403,
    'impersonation_denied',
    {},
  ],
  [
    new TemporarilyUnavailableError('keys_unavailable', 'ECONNREFUSED'),
    503,
    'temporarily_unavailable',
    { 'Retry-After': /^\d+$/ },
  ],
];

describe('PomeriumAuthError', () => {
  for (const [err, status, code, headers] of rows) {
    test(`${code} answers ${status} with its own headers and a JSON body`, () => {
      assert.ok(err instanceof PomeriumAuthError);
      assert.equal(err.status, status);
      assert.equal(err.statusCode, status);
      assert.equal(err.error, code);
      assert.equal(err.code, code);
      assert.deepEqual(Object.keys(err.headers).sort(), Object.keys(headers).sort());
      for (const [name, pattern] of Object.entries(headers))
        assert.match(err.headers[name]!, pattern);
      assert.deepEqual(JSON.parse(JSON.stringify(err)), {
        error: code,
        error_description: err.description,
      });
    });
  }

  test('never shows internal detail to clients', () => {
    const err = new InvalidTokenError('bad_signature', 'secret internal detail');
    assert.doesNotMatch(JSON.stringify(err.toJSON()), /secret internal detail/);
    assert.doesNotMatch(err.headers['WWW-Authenticate']!, /secret internal detail/);
    assert.doesNotMatch(err.message, /secret internal detail/);
    assert.equal(err.detail, 'secret internal detail');
  });

  test('answers every impersonation refusal with the same description, whatever the reason', () => {
    const reasons = [
      'not_allowed',
      'unknown_target',
      'protected_target',
      'chaining',
      'forbidden_on_route',
      'read_only',
      'hook_denied',
    ] as const;
    const bodies = new Set(
      reasons.map((r) =>
        JSON.stringify(new ImpersonationDeniedError(r, `detail of ${r}`).toJSON()),
      ),
    );
    assert.deepEqual(
      [...bodies],
      [
        JSON.stringify({
          error: 'impersonation_denied',
          error_description: IMPERSONATION_DENIED_DESCRIPTION,
        }),
      ],
    );
  });
});
