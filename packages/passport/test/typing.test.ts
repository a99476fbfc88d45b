// The README's "Typing": Passport's Express.User filled once for the app, req.pomerium read
// through PassportRequest. Compiling this file is most of the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from 'express';
import type { PassportRequest, Principal } from '@pomerium-auth/passport';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Principal {}
  }
}

function describeCaller(req: Request): { id?: string; by?: string } {
  const identity = (req as PassportRequest).pomerium;
  return { id: req.user?.id, by: identity?.initiator.id };
}

test('req.user takes the app-wide Express.User, req.pomerium comes through PassportRequest', () => {
  const user: Principal = { id: 'bob', groups: [], kind: 'user', claims: {} };
  const alice: Principal = { ...user, id: 'alice' };
  const req = {
    user,
    pomerium: {
      user,
      initiator: alice,
      impersonating: true,
      credential: { source: 'assertion' },
    },
  } as unknown as Request;
  assert.deepEqual(describeCaller(req), { id: 'bob', by: 'alice' });
});
