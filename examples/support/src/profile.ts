import type { Identity } from '@pomerium-auth/core';

/** What `GET /api/profile` answers: who you are, and who you act as. */
export function profileOf(identity: Identity) {
  const { user, initiator } = identity;
  return {
    user: {
      id: user.id,
      email: user.email ?? null,
      name: user.name ?? null,
      groups: user.groups,
      kind: user.kind,
    },
    initiator: { id: initiator.id, email: initiator.email ?? null, kind: initiator.kind },
    impersonating: identity.impersonating,
    impersonation: identity.impersonation ?? null,
    credential: identity.credential.source,
  };
}
