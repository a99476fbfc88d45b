// Express request typing without the opt-in global entry: `req.pomerium` is declared for every
// app, `req.user` is not (see global/express-global.ts for the opt-in).
import type { Request, RequestHandler } from 'express';
import {
  allowImpersonation,
  forbidImpersonation,
  pomeriumAuth,
  requireAuthentication,
  requirePolicy,
  type Identity,
  type PomeriumRequest,
  type Principal,
} from '@pomerium-auth/express';
import { expectTypeOf } from './expect-type.js';

export function readsTheRequest(req: Request): void {
  expectTypeOf(req.pomerium).toEqualTypeOf<Identity | undefined>();
  // @ts-expect-error req.user is not declared by the main entry point
  void req.user;
}

export function readsPomeriumRequest(req: PomeriumRequest, other: PomeriumRequest<'principal'>) {
  expectTypeOf(req.user).toEqualTypeOf<Principal | undefined>();
  expectTypeOf(req.pomerium).toEqualTypeOf<Identity | undefined>();
  expectTypeOf(other.principal).toEqualTypeOf<Principal | undefined>();
  // @ts-expect-error with userProperty 'principal', nothing is declared under user
  void other.user;
}

expectTypeOf(pomeriumAuth({ audience: 'app.example.com' })).toEqualTypeOf<RequestHandler>();
expectTypeOf(forbidImpersonation()).toMatchTypeOf<RequestHandler>();
expectTypeOf(
  allowImpersonation([{ initiators: ['group:a'], targets: ['*'] }]),
).toMatchTypeOf<RequestHandler>();
expectTypeOf(requireAuthentication()).toMatchTypeOf<RequestHandler>();
expectTypeOf(
  requirePolicy({ allow: { or: [{ groups: { has: 'admins' } }] } }),
).toMatchTypeOf<RequestHandler>();
// @ts-expect-error a misspelt option is an excess property
pomeriumAuth({ audiance: 'app.example.com' });
// @ts-expect-error onError is 'respond' or 'next'
pomeriumAuth({ onError: 'throw' });
