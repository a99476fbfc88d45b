// What a handler does to the identity it was given must not reach any other request. Verified
// claims are shared with the verified-token cache, so they are deeply frozen; everything else a
// request receives (the principal, its groups) is its own. Each row is something a handler might
// do to `req.user`; a second request with the same token must see the token's claims unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPomeriumAuth, type Identity, type Principal } from '@pomerium-auth/core';
import { createTestIssuer, serviceAccountHeaders } from '@pomerium-auth/testing';

const issuer = await createTestIssuer();
const legacy = issuer.mintLegacyServiceAccountToken({
  sub: 'cli',
  email: 'cli@corp.example',
  groups: ['ops', 'staff'],
});
const current = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });

/** Each a change a handler might make; it may throw (frozen) or succeed (its own copy). */
const mutations: Array<[string, (p: Principal) => void]> = [
  ['pushes into claims.groups', (p) => (p.claims.groups as string[]).push('admins')],
  ['sorts claims.groups in place', (p) => (p.claims.groups as string[]).reverse()],
  ['sets a claim', (p) => ((p.claims as Record<string, unknown>).email = 'evil@corp.example')],
  ['deletes a claim', (p) => delete (p.claims as Record<string, unknown>).sub],
  ['pushes into principal.groups', (p) => p.groups.push('admins')],
  ['normalises principal.groups in place', (p) => p.groups.splice(0, p.groups.length, 'ADMINS')],
  ['changes principal.id', (p) => (p.id = 'root')],
  ['adds an email', (p) => (p.email = 'root@corp.example')],
];

for (const [what, mutate] of mutations) {
  for (const [format, token, groups] of [
    ['a historic token', legacy, ['ops', 'staff']],
    ["today's token with a directory user", current, ['machines']],
  ] as const) {
    test(`a handler that ${what} changes nothing for later requests (${format})`, async () => {
      const auth = createPomeriumAuth({
        env: false,
        sharedSecret: issuer.sharedSecret,
        directory: (id) => (id === 'bot' ? { id: 'bot', groups: ['machines'] } : null),
        audit: false,
        logger: { warn: () => undefined },
      });
      const send = async (): Promise<Identity> =>
        (await auth.authenticate({
          method: 'GET',
          url: '/',
          headers: serviceAccountHeaders(token),
        }))!;
      // The first two verify the token (the cache stores it at its second); the rest are hits.
      for (let i = 0; i < 4; i++) {
        const identity = await send();
        assert.deepEqual(identity.user.groups, groups, `request ${i}: groups`);
        assert.ok(Object.isFrozen(identity.user.claims), 'claims are frozen');
        if (Array.isArray(identity.user.claims.groups))
          assert.ok(Object.isFrozen(identity.user.claims.groups), 'nested claims are frozen');
        assert.notEqual(
          identity.user.groups,
          identity.user.claims.groups,
          'the principal has its own groups array',
        );
        try {
          mutate(identity.user);
        } catch (err) {
          assert.ok(err instanceof TypeError, `only a frozen object refuses: ${String(err)}`);
        }
      }
      const last = await send();
      assert.deepEqual(last.user.groups, groups);
      assert.equal(last.user.id, format === 'a historic token' ? 'cli' : 'bot');
      if (format === 'a historic token') {
        assert.deepEqual(last.user.claims.groups, ['ops', 'staff']);
        assert.equal(last.user.claims.email, 'cli@corp.example');
      }
    });
  }
}
