// Koa: `new Koa<PomeriumState>()` types ctx.state; a plain Koa app's state is Koa's own.
import Koa from 'koa';
import {
  pomeriumAuth,
  requirePolicy,
  type Identity,
  type PomeriumState,
  type Principal,
} from '@pomerium-auth/koa';
import { expectTypeOf } from './expect-type.js';

const app = new Koa<PomeriumState>();
app.use(pomeriumAuth({ audience: 'app.example.com' }));
app.use(requirePolicy({ allow: { and: [{ authenticated_user: true }] } }));
app.use((ctx) => {
  expectTypeOf(ctx.state.user).toEqualTypeOf<Principal | undefined>();
  expectTypeOf(ctx.state.pomerium).toEqualTypeOf<Identity | undefined>();
  // @ts-expect-error the state holds pomerium and user, nothing else of ours
  // eslint-disable-next-line @typescript-eslint/no-unsafe-member-access -- the compile error above is the expectation
  void ctx.state.principal.id;
});
// @ts-expect-error a misspelt option is an excess property
pomeriumAuth({ audiance: 'app.example.com' });
