// The opt-in `@pomerium-auth/express/global`: `req.user` is the principal for the whole app,
// through Express.User, and agrees with @types/passport's declaration of the same property
// (both are loaded here: a disagreement would be a compile error in this file's program).
import type { Request } from 'express';
import type {} from '@pomerium-auth/express/global';
import type {} from 'passport';
import type { Identity, Principal } from '@pomerium-auth/express';
import { expectTypeOf } from '../expect-type.js';

export function readsTheRequest(req: Request): void {
  expectTypeOf(req.user).toEqualTypeOf<Express.User | undefined>();
  expectTypeOf(req.pomerium).toEqualTypeOf<Identity | undefined>();
  if (req.user) {
    expectTypeOf(req.user.id).toEqualTypeOf<string>();
    expectTypeOf(req.user.groups).toEqualTypeOf<Principal['groups']>();
    expectTypeOf(req.user).toMatchTypeOf<Principal>();
  }
}
