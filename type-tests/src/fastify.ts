// Fastify: request.pomerium and request.user are declared by augmentation (undefined for
// anonymous requests; user may be null only from another plugin's declaration), and route
// rules in config.pomerium are checked where options are typed.
import Fastify, { type RouteShorthandOptions } from 'fastify';
import {
  pomeriumAuth,
  type Identity,
  type PomeriumRequest,
  type PomeriumRouteConfig,
  type Principal,
} from '@pomerium-auth/fastify';
import { expectTypeOf } from './expect-type.js';

const app = Fastify();
await app.register(pomeriumAuth, { audience: 'app.example.com', required: false });
app.get('/me', (request) => {
  expectTypeOf(request.pomerium).toEqualTypeOf<Identity | undefined>();
  expectTypeOf(request.user).toEqualTypeOf<Principal | null | undefined>();
  return { id: request.user?.id };
});

export function readsRenamedUser(request: PomeriumRequest<'principal'>): void {
  expectTypeOf(request.principal).toEqualTypeOf<Principal | null | undefined>();
}

export const routeOptions: RouteShorthandOptions = {
  config: { pomerium: { impersonation: 'forbid', authentication: 'required' } },
};
expectTypeOf<{ impersonation: 'forbid' }>().toMatchTypeOf<PomeriumRouteConfig>();
// @ts-expect-error a misspelt rule, in options typed as RouteShorthandOptions
export const misspelt: RouteShorthandOptions = { config: { pomerium: { impersonaton: 'forbid' } } };
// @ts-expect-error authentication is 'required' or 'optional'
export const wrongValue: RouteShorthandOptions = { config: { pomerium: { authentication: true } } };
