import type { NodeRequestLike } from '@pomerium-auth/core';

/** The decisions made for one request (or one WebSocket connection). */
interface Decisions {
  /** The request itself: the first decision reads it, and core strips its impersonation headers. */
  live: NodeRequestLike;
  /** A copy made before any decision, where several handlers may come: the later ones each read a copy of it. */
  pristine: NodeRequestLike | undefined;
  liveTaken: boolean;
  /** Per guard (`scope`) and handler: the handler's route rules are part of its decision. */
  made: Map<object, Map<object, Promise<unknown>>>;
}

const holders = new WeakMap<object, Decisions>();

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
 * The decision of one handler for one request, made once. Several handlers can guard one
 * request: the resolvers of a GraphQL operation's fields, the message handlers of a WebSocket
 * connection (whose credential came once, with the handshake). Each decides with its own route
 * rules, on its own view of the request: core removes the impersonation headers once it has
 * decided, and a handler that comes later (with other rules) must still see them. The first
 * decision reads the request itself, so the headers are gone from it afterwards; the later ones
 * read copies made before (`severalHandlers`: GraphQL and WebSocket). A handler met again by the
 * same kind of guard (`scope`: a guard bound twice, a later message) gets the decision it had;
 * a refusal is not kept, and is decided again.
 */
export function decideOncePerHandler<T>(
  scope: object,
  holder: object,
  handler: object,
  source: NodeRequestLike,
  severalHandlers: boolean,
  decide: (request: NodeRequestLike) => Promise<T>,
): Promise<T> {
  let decisions = holders.get(holder);
  if (!decisions) {
    // An HTTP request has one handler: no copy to pay for.
    const pristine = severalHandlers ? copyOf(source) : undefined;
    decisions = { live: source, pristine, liveTaken: false, made: new Map() };
    holders.set(holder, decisions);
  }
  let byHandler = decisions.made.get(scope);
  if (!byHandler) decisions.made.set(scope, (byHandler = new Map<object, Promise<unknown>>()));
  const known = byHandler.get(handler) as Promise<T> | undefined;
  if (known) return known;
  if (decisions.liveTaken && !decisions.pristine)
    return Promise.reject(
      new Error('@pomerium-auth/nest: a second handler guards an HTTP request already decided'),
    );
  const request = decisions.liveTaken ? copyOf(decisions.pristine!) : decisions.live;
  decisions.liveTaken = true;
  const decided = decide(request);
  const made = byHandler;
  made.set(handler, decided);
  decided.catch(() => made.delete(handler));
  return decided;
}
