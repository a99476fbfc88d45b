import type { Identity, NodeRequestLike } from '@pomerium-auth/core';
import { handshakeOf } from './websocket-handshake.js';

/** One WebSocket client's decisions. */
interface ClientDecisions {
  /** The handshake request itself: the first decision reads it, and core strips it. */
  live: NodeRequestLike;
  /** A copy made before any decision: the later ones read copies of it. */
  pristine: NodeRequestLike;
  liveTaken: boolean;
  /** Per message handler: its rules are part of its decision. */
  byHandler: Map<object, Promise<Identity | undefined>>;
}

const clients = new WeakMap<object, ClientDecisions>();

function copyOf(request: NodeRequestLike): NodeRequestLike {
  const headers: NodeRequestLike['headers'] = {};
  for (const [name, value] of Object.entries(request.headers))
    headers[name] = Array.isArray(value) ? value.slice() : value;
  const copy: NodeRequestLike = { headers };
  if (request.method !== undefined) copy.method = request.method;
  if (request.url !== undefined) copy.url = request.url;
  if (request.rawHeaders !== undefined) copy.rawHeaders = request.rawHeaders.slice();
  const ip = request.ip ?? request.socket?.remoteAddress;
  if (ip !== undefined) copy.ip = ip;
  return copy;
}

/**
 * The identity of a WebSocket client for one message handler. The credential came with the
 * handshake and does not change for the connection's life, so each handler's decision is made
 * once per connection, as Pomerium authorizes the upgrade once, and the handler's later
 * messages reuse it. Refusals are not kept: the next message is decided again.
 *
 * Each handler decides on its own copy of the handshake: core removes the impersonation
 * headers once it has decided, and a handler with other rules must still see them.
 */
export function decideForClient(
  client: object,
  handler: object,
  decide: (request: NodeRequestLike) => Promise<Identity | undefined>,
): Promise<Identity | undefined> {
  let state = clients.get(client);
  if (!state) {
    const live = handshakeOf(client);
    if (!live) {
      return Promise.reject(
        new Error(
          '@pomerium-auth/nest: this WebSocket client has no handshake request to authenticate; ' +
            'on @nestjs/platform-ws, call setUpgradeRequest(client, request) in handleConnection',
        ),
      );
    }
    state = { live, pristine: copyOf(live), liveTaken: false, byHandler: new Map() };
    clients.set(client, state);
  }
  const known = state.byHandler.get(handler);
  if (known) return known;
  const request = state.liveTaken ? copyOf(state.pristine) : state.live;
  state.liveTaken = true;
  const decided = decide(request);
  const decisions = state.byHandler;
  decisions.set(handler, decided);
  decided.catch(() => decisions.delete(handler));
  return decided;
}
