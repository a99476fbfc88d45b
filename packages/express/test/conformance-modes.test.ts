// The behaviour table on Express 5 with signatures checked in each place
// (assertionVerification): on the main thread, and on the signature workers, started before
// the table runs so that its assertions are checked on them and not on the main thread while
// they start. The same answers in both, row for row.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { runConformance } from '@pomerium-auth/adapter-conformance';
import {
  importVerificationKey,
  leaseSignatureWorkers,
  parseCheckedJws,
  sharedSignatureWorkers,
} from '@pomerium-auth/core/internal';
import { createTestIssuer } from '@pomerium-auth/testing';
import express5 from 'express5';
import { startConformanceApp } from './conformance-app.js';

before(async () => {
  const issuer = await createTestIssuer();
  // Held for the whole file: the workers stay up.
  const lease = leaseSignatureWorkers();
  const key = importVerificationKey(issuer.keys[0]!.publicJwk);
  assert.equal(lease.check(parseCheckedJws(issuer.mintAssertion()), [key]), true);
  while (!sharedSignatureWorkers()?.stats().ready) await new Promise((r) => setTimeout(r, 5));
  await issuer.close();
});
after(() => {
  assert.ok(
    (sharedSignatureWorkers()?.stats().offThread ?? 0) > 20,
    'the worker-threads run checked its assertions on the workers',
  );
});

for (const mode of ['main-thread', 'worker-threads'] as const)
  runConformance({
    name: `express 5, assertionVerification ${mode}`,
    start: (options, placement) => startConformanceApp(express5, options, placement),
    features: { requireAuthentication: true },
    options: { assertionVerification: mode },
  });
