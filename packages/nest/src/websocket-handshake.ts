import type { NodeRequestLike } from '@pomerium-auth/core';

/** Upgrade requests of `ws` clients, handed over by the gateway (the `ws` client keeps none). */
const upgradeRequests = new WeakMap<object, NodeRequestLike>();

/**
 * For gateways on `@nestjs/platform-ws`: hands the guard the HTTP upgrade request of a
 * connection, whose headers carry the credential. A `ws` client does not keep its upgrade
 * request, and Nest gives it only to `handleConnection`: call this there. (On
 * `@nestjs/platform-socket.io` nothing is needed: the guard reads `client.request`.) Without it,
 * the guard refuses every message of a `ws` client.
 *
 * @param client - the `ws` client `handleConnection` was given.
 * @param request - the upgrade request `handleConnection` was given beside it.
 *
 * @example
 * ```ts
 * @WebSocketGateway()
 * @UseGuards(PomeriumAuthGuard)
 * export class EventsGateway implements OnGatewayConnection {
 *   handleConnection(client: WebSocket, request: IncomingMessage) {
 *     setUpgradeRequest(client, request);
 *   }
 * }
 * ```
 */
export function setUpgradeRequest(client: object, request: NodeRequestLike): void {
  upgradeRequests.set(client, request);
}

/** A socket.io socket: its handshake request (Node's `IncomingMessage`) and address. */
interface SocketIoClient {
  request?: NodeRequestLike;
  handshake?: { headers?: NodeRequestLike['headers']; address?: string; url?: string };
}

/**
 * The request a WebSocket client connected with: the one `setUpgradeRequest` was given, else
 * socket.io's `client.request` (or its `handshake`). `undefined` when neither is there.
 */
export function handshakeOf(client: object): NodeRequestLike | undefined {
  const handed = upgradeRequests.get(client);
  if (handed) return handed;
  const { request, handshake } = client as SocketIoClient;
  if (request && typeof request === 'object' && request.headers) {
    return handshake?.address === undefined ? request : withAddress(request, handshake.address);
  }
  if (handshake?.headers) {
    const fromHandshake: NodeRequestLike = { method: 'GET', headers: handshake.headers };
    if (handshake.url !== undefined) fromHandshake.url = handshake.url;
    if (handshake.address !== undefined) fromHandshake.ip = handshake.address;
    return fromHandshake;
  }
  return undefined;
}

/** socket.io's idea of the client's address (it honours its own proxy settings). */
function withAddress(request: NodeRequestLike, ip: string): NodeRequestLike {
  const copy: NodeRequestLike = { headers: request.headers, ip };
  if (request.method !== undefined) copy.method = request.method;
  if (request.url !== undefined) copy.url = request.url;
  if (request.rawHeaders !== undefined) copy.rawHeaders = request.rawHeaders;
  return copy;
}
