import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SERVICE_ACCOUNT_SCHEMES,
  serviceAccountHeaders,
  assertionHeaders,
} from '@pomerium-auth/testing';

test('builds the header of every service-account scheme', () => {
  const expected = {
    'x-pomerium-authorization': { 'x-pomerium-authorization': 't' },
    'authorization-pomerium': { authorization: 'Pomerium t' },
    'authorization-bearer-pomerium': { authorization: 'Bearer Pomerium-t' },
  };
  assert.deepEqual([...SERVICE_ACCOUNT_SCHEMES], Object.keys(expected));
  for (const scheme of SERVICE_ACCOUNT_SCHEMES)
    assert.deepEqual(serviceAccountHeaders('t', scheme), expected[scheme]);
  assert.deepEqual(serviceAccountHeaders('t'), { authorization: 'Bearer Pomerium-t' });
  assert.throws(() => serviceAccountHeaders('t', 'bearer' as never), TypeError);
});

test('builds the assertion header', () => {
  assert.deepEqual(assertionHeaders('t'), { 'x-pomerium-jwt-assertion': 't' });
});

test('headers work with fetch', () => {
  const headers = new Headers(serviceAccountHeaders('t', 'authorization-pomerium'));
  assert.equal(headers.get('Authorization'), 'Pomerium t');
});
