import type { ExecutionContext } from '@nestjs/common';
import type { Identity, PomeriumAuth } from '@pomerium-auth/core';
import type { NestHttpResponse } from './error-response.js';
import type { NestHttpRequest } from './http-request.js';
import { loadedGraphql, loadGraphql, type GraphqlPeer } from './optional-peers.js';

/**
 * What a guard authenticates, by Nest context type: the HTTP request (and its response, for the
 * error's headers), the HTTP request behind a GraphQL operation, or a WebSocket client.
 */
export type GuardedRequest =
  | { type: 'http'; request: NestHttpRequest; response: NestHttpResponse }
  | { type: 'graphql'; request: NestHttpRequest }
  | { type: 'ws'; client: object };

/** Where an identity is kept: `pomerium` and the user property, on a request or a WebSocket client. */
export interface IdentityHolder {
  pomerium?: Identity;
  [key: string]: unknown;
}

function graphqlRequest(peer: GraphqlPeer, context: ExecutionContext): NestHttpRequest | undefined {
  const gqlContext = peer.GqlExecutionContext.create(context).getContext<{ req?: unknown }>();
  const req = gqlContext?.req;
  return req && typeof req === 'object' ? (req as NestHttpRequest) : undefined;
}

/**
 * The request (or client) behind a guard's context. GraphQL contexts load `@nestjs/graphql` on
 * first use and read its context's `req`. Anything else (a microservice's `rpc`) is refused:
 * its credentials travel elsewhere, and failing closed beats guessing.
 */
export async function guardedRequestOf(context: ExecutionContext): Promise<GuardedRequest> {
  const type = context.getType<string>();
  if (type === 'http') {
    const http = context.switchToHttp();
    return {
      type,
      request: http.getRequest<NestHttpRequest>(),
      response: http.getResponse<NestHttpResponse>(),
    };
  }
  if (type === 'graphql') {
    const request = graphqlRequest(await loadGraphql(), context);
    if (!request)
      throw new Error(
        "@pomerium-auth/nest: the GraphQL context has no 'req'; give the driver " +
          'context: ({ req }) => ({ req })',
      );
    return { type, request };
  }
  if (type === 'ws') return { type, client: context.switchToWs().getClient<object>() };
  throw new Error(
    `@pomerium-auth/nest: guards authenticate HTTP, GraphQL and WebSocket contexts, not '${type}'`,
  );
}

/**
 * Where the guard kept the identity of this context's request, read synchronously (parameter
 * decorators run after the guards): the HTTP request, GraphQL's `req`, or the WebSocket client.
 */
export function identityHolderOf(context: ExecutionContext): IdentityHolder | undefined {
  const type = context.getType<string>();
  if (type === 'http') return context.switchToHttp().getRequest<NestHttpRequest>();
  if (type === 'ws') return context.switchToWs().getClient<IdentityHolder>();
  if (type === 'graphql') {
    // Not loaded: no guard of this package ran, so nothing was decided for this request.
    const peer = loadedGraphql();
    return peer ? graphqlRequest(peer, context) : undefined;
  }
  return undefined;
}

/**
 * Keeps a decided identity where handlers and the parameter decorators read it: `pomerium`, and
 * the effective principal under the `userProperty` option (`'user'`; `false` leaves it alone).
 */
export function keepIdentity(
  holder: IdentityHolder,
  identity: Identity | undefined,
  auth: PomeriumAuth,
): void {
  holder.pomerium = identity;
  const { userProperty } = auth.settings;
  if (identity && userProperty !== false) holder[userProperty] = identity.user;
}
