import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from '@pomerium-auth/core';

const require = createRequire(import.meta.url);

test('the ESM build and the CommonJS build export the same names', () => {
  const cjs = require('@pomerium-auth/core') as Record<string, unknown>;
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
});

test('an error built by one build is recognised by the other (the dual-package hazard)', () => {
  const cjs = require('@pomerium-auth/core') as typeof esm;
  assert.notEqual(cjs.PomeriumAuthError, esm.PomeriumAuthError, 'two copies of the class');
  const fromCjs = new cjs.InvalidTokenError('bad_signature');
  const fromEsm = new esm.ImpersonationDeniedError('not_allowed');
  assert.ok(esm.isPomeriumAuthError(fromCjs));
  assert.ok(cjs.isPomeriumAuthError(fromEsm));
  assert.ok(fromCjs instanceof esm.PomeriumAuthError);
  assert.ok(fromEsm instanceof cjs.PomeriumAuthError);
  assert.ok(fromCjs instanceof esm.InvalidTokenError, 'a subclass recognises its own kind');
  assert.ok(!(fromCjs instanceof esm.ImpersonationDeniedError), 'and no other');
  assert.ok(!esm.isPomeriumAuthError(new Error('x')));
  assert.ok(
    !esm.isPomeriumAuthError({ status: 401, error: 'invalid_token' }),
    'look-alikes are not',
  );
});

test('the internal subpath is there for the suite, in both builds', () => {
  const cjs = require('@pomerium-auth/core/internal') as Record<string, unknown>;
  assert.deepEqual(Object.keys(cjs).sort(), [
    'CONTROL_BYTES',
    'KeyImportError',
    'PENDING',
    'RemoteKeySet',
    'SignatureWorkerPool',
    'VERIFIED',
    'VerifiedTokenCache',
    'answeredSoFar',
    'batchControl',
    'cgroupCpuLimit',
    'checkBatch',
    'checkOnThisThread',
    'chooseVerification',
    'claimProgressMessage',
    'defaultPoolSize',
    'importVerificationKey',
    'itemAnswer',
    'leaseSignatureWorkers',
    'parseCheckedJws',
    'readProgress',
    'sharedSignatureWorkers',
    'usableCores',
    'verifyJwsSignatureOnThreadPool',
    'writeItem',
  ]);
  for (const name of ['RemoteKeySet', 'VerifiedTokenCache', 'importVerificationKey'])
    assert.ok(!(name in esm), `${name} is not on the public entry`);
});
