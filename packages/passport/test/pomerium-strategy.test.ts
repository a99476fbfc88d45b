import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express, { type RequestHandler } from 'express';
import { Passport } from 'passport';
import type { Identity, PomeriumAuthOptions } from '@pomerium-auth/core';
import { PomeriumStrategy, type PassportRequest, type VerifyDone } from '@pomerium-auth/passport';
import {
  assertionHeaders,
  createTestIssuer,
  SERVICE_ACCOUNT_SCHEMES,
  serviceAccountHeaders,
  startJwksServer,
  type JwksServer,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { answerAuthErrors, listen } from './express-app.js';

let issuer: TestIssuer;
let down: JwksServer;
let options: PomeriumAuthOptions;
const closers: Array<() => Promise<void>> = [];
before(async () => {
  issuer = await createTestIssuer();
  const keys = await issuer.serve();
  down = await startJwksServer({ jwks: issuer.jwks() });
  down.fault('error');
  options = {
    jwksUrl: keys.url,
    issuer: issuer.issuer,
    audience: issuer.audience,
    sharedSecret: issuer.sharedSecret,
    audit: false,
    env: false,
    logger: { warn: () => undefined },
    jwks: { timeout: 2000 },
  };
});
after(async () => {
  await Promise.all(closers.map((c) => c()));
  await Promise.all([issuer.close(), down.close()]);
});

/** An app with the strategy and Passport's own default answers (no error handler of ours). */
async function start(
  strategy: PomeriumStrategy,
  errors: 'passport' | 'json' = 'passport',
): Promise<string> {
  const passport = new Passport();
  passport.use(strategy);
  const app = express();
  app.get(
    '/me',
    passport.authenticate('pomerium', { session: false }) as RequestHandler,
    (req, res) => {
      res.json({
        user: req.user,
        info: (req as { authInfo?: unknown }).authInfo ?? null,
        pomerium: (req as PassportRequest).pomerium?.user.id ?? null,
      });
    },
  );
  if (errors === 'json') app.use(answerAuthErrors);
  app.use(((_err, _req, res, _next) => void res.status(500).end()) as express.ErrorRequestHandler);
  const running = await listen(app);
  closers.push(running.close);
  return running.url;
}

const alice = () =>
  assertionHeaders(issuer.mintAssertion({ sub: 'alice', email: 'alice@corp.example' }));

describe('PomeriumStrategy', () => {
  test("is named 'pomerium'", () => {
    assert.equal(new PomeriumStrategy(options).name, 'pomerium');
  });

  for (const scheme of SERVICE_ACCOUNT_SCHEMES) {
    test(`accepts a service-account token in the ${scheme} scheme`, async () => {
      const url = await start(new PomeriumStrategy(options));
      const res = await fetch(`${url}/me`, {
        headers: serviceAccountHeaders(
          issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' }),
          scheme,
        ),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { user: { id: string; kind: string }; info: Identity };
      assert.equal(body.user.id, 'bot');
      assert.equal(body.user.kind, 'service-account');
      assert.equal(body.info.credential.source, scheme);
    });
  }

  test('succeeds with the effective principal as user and the Identity as info, and sets req.pomerium', async () => {
    const url = await start(new PomeriumStrategy(options));
    const res = await fetch(`${url}/me`, { headers: alice() });
    const body = (await res.json()) as { user: { id: string }; info: Identity; pomerium: string };
    assert.equal(body.user.id, 'alice');
    assert.equal(body.info.user.id, 'alice');
    assert.equal(body.info.impersonating, false);
    assert.equal(body.pomerium, 'alice');
  });

  test('fails a missing credential with 401 and the RFC 6750 challenge, as passport-http-bearer does', async () => {
    const url = await start(new PomeriumStrategy(options));
    const res = await fetch(`${url}/me`);
    assert.equal(res.status, 401);
    assert.equal(
      res.headers.get('www-authenticate'),
      'Bearer realm="pomerium", error="credentials_required", error_description="Authentication is required"',
    );
  });

  test('fails an expired token with 401 and an invalid_token challenge', async () => {
    const url = await start(new PomeriumStrategy(options));
    const res = await fetch(`${url}/me`, {
      headers: assertionHeaders(
        issuer.mintAssertion({ sub: 'alice' }, { now: Math.floor(Date.now() / 1000) - 3600 }),
      ),
    });
    assert.equal(res.status, 401);
    assert.equal(
      res.headers.get('www-authenticate'),
      'Bearer realm="pomerium", error="invalid_token", error_description="The token has expired"',
    );
  });

  test('fails a malformed credential with 400', async () => {
    const url = await start(new PomeriumStrategy(options));
    assert.equal(
      (await fetch(`${url}/me`, { headers: { authorization: 'Pomerium nope' } })).status,
      400,
    );
  });

  test('fails a refused impersonation with 403', async () => {
    const url = await start(new PomeriumStrategy(options));
    assert.equal(
      (await fetch(`${url}/me`, { headers: { ...alice(), 'impersonate-user': 'bob' } })).status,
      403,
    );
  });

  test('reports unreachable keys as an error (503 with Retry-After through the error handler), not as a failed credential', async () => {
    const url = await start(new PomeriumStrategy({ ...options, jwksUrl: down.url }), 'json');
    const res = await fetch(`${url}/me`, { headers: alice() });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.deepEqual(await res.json(), {
      error: 'temporarily_unavailable',
      error_description: 'Token keys are temporarily unavailable',
    });
  });

  test("maps the identity to the app's own user with the verify callback", async () => {
    const verify = (identity: Identity, done: VerifyDone) =>
      done(null, { appUser: identity.user.email }, { scope: 'read' });
    const url = await start(new PomeriumStrategy(options, verify));
    const body = (await (await fetch(`${url}/me`, { headers: alice() })).json()) as {
      user: unknown;
      info: unknown;
    };
    assert.deepEqual(body.user, { appUser: 'alice@corp.example' });
    assert.deepEqual(body.info, { scope: 'read' });
  });

  test('fails with 401 invalid_token when the verify callback refuses the principal', async () => {
    const url = await start(new PomeriumStrategy(options, (_identity, done) => done(null, false)));
    const res = await fetch(`${url}/me`, { headers: alice() });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  test('turns a verify callback error into a server error', async () => {
    const url = await start(
      new PomeriumStrategy(options, (_identity, done) => done(new Error('database down'))),
    );
    assert.equal((await fetch(`${url}/me`, { headers: alice() })).status, 500);
  });

  test('passes the request first with passReqToCallback', async () => {
    let seen: string | undefined;
    const strategy = new PomeriumStrategy(
      { ...options, passReqToCallback: true },
      (req, identity, done) => {
        seen = req.url;
        done(null, identity.user);
      },
    );
    const url = await start(strategy);
    assert.equal((await fetch(`${url}/me?x=1`, { headers: alice() })).status, 200);
    assert.equal(seen, '/me?x=1');
  });

  test('passes an anonymous request when authentication is optional', async () => {
    const url = await start(new PomeriumStrategy({ ...options, required: false }));
    const res = await fetch(`${url}/me`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { info: null, pomerium: null });
  });

  test("onApplicationBootstrap runs @pomerium-auth/nest's route guard check when that package left one", async () => {
    const strategy = new PomeriumStrategy(options);
    const key = Symbol.for('@pomerium-auth/nest.checkRouteGuards');
    const global = globalThis as Record<symbol, unknown>;
    assert.equal(global[key], undefined, '@pomerium-auth/nest is not loaded in this test');
    await strategy.onApplicationBootstrap();
    global[key] = () => Promise.reject(new Error('a route decorator is ignored'));
    try {
      await assert.rejects(strategy.onApplicationBootstrap(), /a route decorator is ignored/);
    } finally {
      delete global[key];
    }
  });

  test('refuses bad options at construction, naming the option', () => {
    assert.throws(() => new PomeriumStrategy({ ...options, clockTolerance: -1 }), {
      name: 'PomeriumAuthConfigError',
      message: /clockTolerance/,
    });
  });
});
