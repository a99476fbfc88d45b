// The route gate's helpers, as every adapter wraps them: rules checked when a helper is made, a
// helper before the decision joins it, a helper after it narrows it, and requireAuthentication
// fails closed without a decision before it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPomeriumAuth,
  createRouteGate,
  PomeriumAuthConfigError,
  PomeriumAuthError,
  type AuthRequest,
  type PomeriumAuth,
  type RouteStep,
} from '@pomerium-auth/core';
import { assertionHeaders, type TestIssuer } from '@pomerium-auth/testing';
import { issuer as makeIssuer, request } from './fixtures.js';

let issuer: TestIssuer;
let auth: PomeriumAuth;
before(async () => {
  issuer = await makeIssuer();
  auth = createPomeriumAuth({
    env: false,
    publicKeys: [issuer.keys[0]!.publicJwk],
    audience: issuer.host,
    assertionVerification: 'main-thread',
    required: false,
    directory: (name) => ({ id: name, groups: [] }),
    impersonation: { grants: [{ initiators: ['group:admins'], targets: ['user_*'] }] },
  });
});
after(async () => {
  await auth.close();
  await issuer.close();
});

/** A request object as a framework would key it, and the gate's helpers wrapped as steps. */
type Key = { headers: Record<string, string> };
const gate = createRouteGate<Key>();
const helpers = gate.helpers((step: RouteStep<Key>) => (key: Key) => step(key, () => asAuth(key)));
const asAuth = (key: Key): AuthRequest => request(key.headers);

const admin = (headers: Record<string, string> = {}): Key => ({
  headers: {
    ...assertionHeaders(issuer.mintAssertion({ sub: 'alice', groups: ['admins'] })),
    ...headers,
  },
});

/** What a decision ended in (a PomeriumAuthError's code, or the error), or 'passed'. */
async function decision(key: Key): Promise<unknown> {
  try {
    await gate.decide(auth, key, asAuth(key));
    return 'passed';
  } catch (err) {
    return err instanceof PomeriumAuthError ? err.code : err;
  }
}

/** What a step threw (a PomeriumAuthError's code, or the error), or 'passed'. */
function outcome(run: () => unknown): unknown {
  try {
    run();
    return 'passed';
  } catch (err) {
    return err instanceof PomeriumAuthError ? err.code : err;
  }
}

describe('route helpers built by the gate', () => {
  test('check their rule when made: a bad grant or policy fails at definition, naming it', () => {
    assert.throws(
      () => helpers.allowImpersonation([{ initiators: [], targets: ['x'] }]),
      (err: unknown) => err instanceof PomeriumAuthConfigError && /grants/.test(err.option),
    );
    assert.throws(
      () => helpers.requirePolicy({ allow: { or: [{ nonsense: true }] } } as never),
      PomeriumAuthConfigError,
    );
  });

  test('before the decision, a rule joins it: forbidImpersonation refuses the impersonation', async () => {
    assert.equal(await decision(admin({ 'impersonate-user': 'user_1' })), 'passed');
    const key = admin({ 'impersonate-user': 'user_1' });
    helpers.forbidImpersonation()(key);
    assert.equal(await decision(key), 'impersonation_denied');
  });

  test('after the decision, a rule narrows it', async () => {
    const key = admin({ 'impersonate-user': 'user_1' });
    assert.equal((await gate.decide(auth, key, asAuth(key)))?.impersonating, true);
    assert.equal(
      outcome(() => helpers.forbidImpersonation()(key)),
      'impersonation_denied',
    );
    const plain = admin();
    await gate.decide(auth, plain, asAuth(plain));
    assert.equal(
      outcome(() => helpers.forbidImpersonation()(plain)),
      'passed',
    );
    assert.equal(
      outcome(() =>
        helpers.requirePolicy({ allow: { or: [{ groups: { has: 'finance' } }] } })(plain),
      ),
      'insufficient_scope',
    );
  });

  test('requireAuthentication: 401 for an anonymous decision, a plain Error without one', async () => {
    const anonymous: Key = { headers: {} };
    assert.equal(await gate.decide(auth, anonymous, asAuth(anonymous)), undefined);
    assert.equal(
      outcome(() => helpers.requireAuthentication()(anonymous)),
      'credentials_required',
    );
    const undecided: Key = { headers: {} };
    const err = outcome(() => helpers.requireAuthentication()(undecided));
    assert.ok(err instanceof Error && !(err instanceof PomeriumAuthError), String(err));
    const signedIn = admin();
    await gate.decide(auth, signedIn, asAuth(signedIn));
    assert.equal(
      outcome(() => helpers.requireAuthentication()(signedIn)),
      'passed',
    );
  });
});
