import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  isPomeriumAuthError,
  type PomeriumAuth,
  type PomeriumAuthError,
} from '@pomerium-auth/core';
import { authenticateRoute } from './authenticate-route.js';
import { guardedRequestOf, keepIdentity, type IdentityHolder } from './context-request.js';
import { setErrorHeaders } from './error-response.js';
import { loadWebsockets } from './optional-peers.js';
import { PomeriumAuthException } from './pomerium-auth.exception.js';
import { HONOURS_ROUTE_RULES } from './route-guards-check.js';
import { collectRouteRules } from './route-rules.js';
import { POMERIUM_AUTH } from './tokens.js';
import { decideOncePerHandler } from './request-decisions.js';
import { handshakeOf } from './websocket-handshake.js';

/** A WebSocket refusal: Nest's `WsException`, whose error is the JSON body a client would get over HTTP. */
async function wsRefusal(err: PomeriumAuthError): Promise<Error> {
  const { WsException } = await loadWebsockets();
  return Object.assign(new WsException(err.toJSON()), { cause: err });
}

/**
 * Authenticates each request with the core, applying the route's decorators in the same
 * decision (see the README's "Decorators"). Sets `request.pomerium` (the `Identity`) and
 * `request.user` (the effective principal; option `userProperty`, `false` to leave it).
 *
 * Contexts: HTTP (Express and Fastify); GraphQL, where it reads the request of the GraphQL
 * context (`@nestjs/graphql`, loaded when the first GraphQL request comes); WebSocket gateways,
 * where it reads the handshake request and keeps the identity on the client (see the README's
 * "WebSocket gateways").
 *
 * A refusal is thrown as a {@link PomeriumAuthException}. With `onError: 'respond'` (default)
 * the guard first sets the error's `WWW-Authenticate` / `Retry-After` headers, so Nest's own
 * exception handling answers with the same status, headers and JSON body as the Express
 * adapter; with `onError: 'next'` it leaves the response alone for your exception filters. In a
 * WebSocket gateway the refusal is a `WsException` carrying the JSON body.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [PomeriumAuthModule.forRoot({ jwksUrl, audience: 'app.example.com' })],
 *   providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
 * })
 * export class AppModule {}
 * // or per controller / handler / resolver / gateway: @UseGuards(PomeriumAuthGuard)
 * ```
 */
@Injectable()
export class PomeriumAuthGuard implements CanActivate {
  /** Read by the start-up check: this guard applies the route decorators. */
  static readonly [HONOURS_ROUTE_RULES] = true;

  constructor(
    @Inject(POMERIUM_AUTH) private readonly auth: PomeriumAuth,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = collectRouteRules(this.reflector, context.getHandler(), context.getClass());
    if (route.public) return true;
    const guarded = await guardedRequestOf(context);
    const holder = (guarded.type === 'ws' ? guarded.client : guarded.request) as IdentityHolder;
    const source = guarded.type === 'ws' ? handshakeOf(guarded.client) : guarded.request;
    if (!source)
      throw new Error(
        '@pomerium-auth/nest: this WebSocket client has no handshake request to authenticate; ' +
          'on @nestjs/platform-ws, call setUpgradeRequest(client, request) in handleConnection',
      );
    try {
      const identity = await decideOncePerHandler(
        PomeriumAuthGuard,
        holder,
        context.getHandler(),
        source,
        guarded.type !== 'http',
        (request) => authenticateRoute(this.auth, request, route),
      );
      keepIdentity(holder, identity, this.auth);
      return true;
    } catch (err) {
      if (!isPomeriumAuthError(err)) throw err;
      if (guarded.type === 'ws') throw await wsRefusal(err);
      // Over GraphQL the HTTP answer is the GraphQL server's: the error travels in its body.
      if (guarded.type === 'http' && this.auth.settings.onError !== 'next')
        setErrorHeaders(guarded.response, err);
      throw new PomeriumAuthException(err);
    }
  }
}
