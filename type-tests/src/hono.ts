// Hono: the environment says what c.get() returns; nothing is declared globally, so an app
// without PomeriumEnv does not see our variables.
import { Hono } from 'hono';
import {
  pomeriumAuth,
  pomeriumAuthErrorOf,
  type Identity,
  type PomeriumAuthError,
  type PomeriumEnv,
  type PomeriumVariables,
  type Principal,
} from '@pomerium-auth/hono';
import { expectTypeOf } from './expect-type.js';

const app = new Hono<PomeriumEnv>();
app.use(pomeriumAuth({ audience: 'app.example.com' }));
app.get('/me', (c) => {
  expectTypeOf(c.get('user')).toEqualTypeOf<Principal | undefined>();
  expectTypeOf(c.get('pomerium')).toEqualTypeOf<Identity | undefined>();
  return c.json({ id: c.get('user')?.id });
});

// Combined with an app's own variables.
const combined = new Hono<{ Variables: PomeriumVariables & { requestId: string } }>();
combined.get('/', (c) => {
  expectTypeOf(c.get('requestId')).toEqualTypeOf<string>();
  expectTypeOf(c.get('user')).toEqualTypeOf<Principal | undefined>();
  return c.text('ok');
});

const plain = new Hono();
plain.get('/', (c) => {
  // @ts-expect-error without PomeriumEnv, 'user' is no variable of this app
  void c.get('user');
  return c.text('ok');
});

expectTypeOf(pomeriumAuthErrorOf(new Error('x'))).toEqualTypeOf<PomeriumAuthError | undefined>();
